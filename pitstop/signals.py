from django.dispatch import Signal

# Sent after a manifest (summary.json) or a low-stock event is written to the
# reports storage, with key=<storage key>: the local stand-in for the S3
# notification that invokes the alert function on AWS.
object_stored = Signal()
