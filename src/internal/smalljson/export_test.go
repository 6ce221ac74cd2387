package smalljson

import "reflect"

// TypeErr says why smalljson refuses type t (nil: it handles it), for the
// tests over the product's types.
func TypeErr(t reflect.Type) error { return infoOf(t).err }
