"""The streaming router: Faust wiring around the pure decoder and directory (thin by design)."""
