package lmo

// Hash is SuperFastHash (Paul Hsieh) as lmo.c's sfh_hash computes it with
// init = len: 16-bit little-endian reads, and the tail byte read as a
// signed char, which matters for UTF-8 text.
func Hash(b []byte) uint32 {
	if len(b) == 0 {
		return 0
	}
	hash := uint32(len(b))
	get16 := func(i int) uint32 { return uint32(b[i]) | uint32(b[i+1])<<8 }
	i := 0
	for n := len(b) >> 2; n > 0; n-- {
		hash += get16(i)
		tmp := (get16(i+2) << 11) ^ hash
		hash = (hash << 16) ^ tmp
		i += 4
		hash += hash >> 11
	}
	switch len(b) & 3 {
	case 3:
		hash += get16(i)
		hash ^= hash << 16
		hash ^= uint32(int32(int8(b[i+2]))) << 18
		hash += hash >> 11
	case 2:
		hash += get16(i)
		hash ^= hash << 11
		hash += hash >> 17
	case 1:
		hash += uint32(int32(int8(b[i])))
		hash ^= hash << 10
		hash += hash >> 1
	}
	hash ^= hash << 3
	hash += hash >> 5
	hash ^= hash << 4
	hash += hash >> 17
	hash ^= hash << 25
	hash += hash >> 6
	return hash
}

// Key is the lookup key of a message: ctxt "\x01" msgid, then "\x02" and
// the plural form index when plural >= 0.
func Key(ctxt, msgid string, plural int) string {
	k := msgid
	if ctxt != "" {
		k = ctxt + "\x01" + k
	}
	if plural >= 0 {
		k += "\x02" + itoa(plural)
	}
	return k
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for ; n > 0; n /= 10 {
		i--
		b[i] = byte('0' + n%10)
	}
	return string(b[i:])
}
