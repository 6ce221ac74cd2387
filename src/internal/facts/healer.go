package facts

// HealerSilence is why a one-shot check got no usable answer from a daemon
// that holds the control socket: the call timed out, the reply could not be
// read, or this user may not connect. Such a daemon is not "not running":
// it may be repairing, stuck or busy, and only its log says which.
type HealerSilence struct {
	// Socket is the control socket that was asked.
	Socket string
	// WaitS is how long the check waited for the answer, in seconds.
	WaitS int
	// Error is what went wrong, as the IPC client said it.
	Error string
}
