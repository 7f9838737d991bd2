"""digestgen: a static site generator for a Chinese police-work news digest."""
