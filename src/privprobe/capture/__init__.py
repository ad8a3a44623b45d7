"""capture: producing evidence. The only stage allowed to touch the network (none yet but the demo)."""
