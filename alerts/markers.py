"""lambda_alert.sendonce's markers in the reports storage, for local mode.

A local folder: the claim is a hard link of a finished temporary file (it
fails if the marker exists, and no one ever sees half a marker); a takeover
replaces the file under an flock on its folder, if its content is still the one read. An
S3 bucket (PITSTOP_REPORTS_BUCKET): the Lambda's own S3 adapter, on the
storage's client."""

import contextlib
import fcntl
import hashlib
import os
import tempfile
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, Storage

from lambda_alert.s3store import S3Markers
from lambda_alert.sendonce import Markers


def storage_markers(storage: Storage) -> Markers:
    """The markers adapter for the reports storage."""
    if isinstance(storage, FileSystemStorage):
        return FolderMarkers(storage)
    connection = getattr(storage, "connection", None)
    bucket = getattr(storage, "bucket_name", "")
    if connection is not None and bucket:  # django-storages' S3Storage
        return S3Markers(connection.meta.client, bucket)
    raise ImproperlyConfigured(
        f"alerts need a local folder or S3 for their markers, not {storage!r}"
    )


class FolderMarkers:
    """sendonce.Markers in a FileSystemStorage."""

    def __init__(self, storage: FileSystemStorage) -> None:
        self.storage = storage

    def create(self, key: str, body: bytes) -> bool:
        path = self._path(key)
        with self._written(path, body) as temporary:
            try:
                os.link(temporary, path)
            except FileExistsError:
                return False
        return True

    def read(self, key: str) -> tuple[bytes, str] | None:
        try:
            body = self._path(key).read_bytes()
        except FileNotFoundError:
            return None
        return body, _version(body)

    def replace(self, key: str, body: bytes, version: str) -> bool:
        path = self._path(key)
        # The day's folder is the lock: no lock file among the markers.
        folder = os.open(path.parent, os.O_RDONLY)
        try:
            fcntl.flock(folder, fcntl.LOCK_EX)
            found = self.read(key)
            if found is None or found[1] != version:
                return False
            with self._written(path, body) as temporary:
                os.replace(temporary, path)
        finally:
            os.close(folder)  # and the lock with it
        return True

    def put(self, key: str, body: bytes) -> None:
        # Through the storage, which overwrites (pitstop.storage.local_reports).
        self.storage.save(key, ContentFile(body))

    def delete(self, key: str) -> None:
        self.storage.delete(key)

    def _path(self, key: str) -> Path:
        path = Path(self.storage.path(key))
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    @contextlib.contextmanager
    def _written(self, path: Path, body: bytes):
        """A temporary file beside path holding body, removed afterwards."""
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".claim-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(body)
            os.chmod(temporary, 0o644)
            yield temporary
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)


def _version(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()
