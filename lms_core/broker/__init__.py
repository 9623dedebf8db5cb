"""Publish/subscribe fan-out between workers: in-process by default, Redis for several workers."""

from lms_core.broker.base import Broker, Subscription
from lms_core.broker.factory import create_broker

__all__ = ["Broker", "Subscription", "create_broker"]
