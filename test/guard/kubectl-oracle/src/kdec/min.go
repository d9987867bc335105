package yaml

// Go 1.21's built-in min, for the Go of Debian's golang-go (1.19); not upstream.
func min(a, b int) int {
	if a < b {
		return a
	}
	return b
}
