"""The built-in demo: evidence privprobe generates itself, so every command can be tried offline."""
