"""Linux implementations (/proc, /sys, /etc)."""
