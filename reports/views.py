from django.contrib.auth.decorators import permission_required
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import storages
from django.http import FileResponse, Http404

# Only what a manager downloads; never the alert markers.
SERVED_PREFIXES = ("reports/", "orders/")


@permission_required("reports.view_report", raise_exception=True)
def report_file(request, key: str):
    """A stored file, for managers, when the reports storage is a local folder
    (its URLs point here; on S3 they are presigned and never reach Django)."""
    storage = storages["reports"]
    if not key.startswith(SERVED_PREFIXES) or ".." in key.split("/"):
        raise Http404
    try:
        handle = storage.open(key, "rb")
    except (OSError, ValueError, SuspiciousFileOperation):
        # Missing, a folder, a name too long for the file system, a NUL in it,
        # a path out of the folder: no such file to download.
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=key.rsplit("/", 1)[-1])
