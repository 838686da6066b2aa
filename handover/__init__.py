"""handover: the customer-service handover sheet as a safe data source, and the work it drives."""

__version__ = "0.1.0"
