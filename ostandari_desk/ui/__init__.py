"""The Qt desktop interface; calls services only."""
