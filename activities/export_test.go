package activities

// SetMaxFullMessagesBytes changes the size past which a .traj's step
// messages are written compactly, until the returned function is called.
func SetMaxFullMessagesBytes(n int) (restore func()) {
	old := maxFullMessagesBytes
	maxFullMessagesBytes = n
	return func() { maxFullMessagesBytes = old }
}
