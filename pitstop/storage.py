"""Where reports, events and orders are kept: the "reports" entry of STORAGES.

Code only ever says storages["reports"] and storage.url(key): a presigned URL
on S3, the managers-only /reports/files/ view for the local folder."""

from pathlib import Path


def s3_reports(bucket: str, *, region: str | None = None) -> dict:
    """A private, encrypted S3 bucket through django-storages.

    https://django-storages.readthedocs.io/en/latest/backends/amazon-S3.html
    Endpoint and credentials come from boto3's own environment (AWS_ENDPOINT_URL,
    AWS_ACCESS_KEY_ID…, or the instance role); nothing is hard-coded."""
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "region_name": region,
            "default_acl": None,  # private: the bucket blocks public access
            "object_parameters": {"ServerSideEncryption": "AES256"},
            "querystring_auth": True,
            "querystring_expire": 3600,  # presigned downloads last an hour
            "file_overwrite": True,  # re-running a period replaces its keys
            "signature_version": "s3v4",
        },
    }


def local_reports(folder: Path) -> dict:
    return {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": folder,
            "base_url": "/reports/files/",
            "allow_overwrite": True,  # re-running a period replaces its files
        },
    }
