"""The JSON API under ``/api/v1``: routes per resource, one error shape, auth dependencies."""
