"""Demo data: ``build_demo(engine, size)`` fills an empty database with a realistic province."""

from ostandari_desk.services.demo.build import SIZES, DemoSummary, build_demo

__all__ = ["SIZES", "DemoSummary", "build_demo"]
