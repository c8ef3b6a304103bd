"""Build dist/lambda_alert.zip, the alert function's deployment package.

Only lambda_alert/*.py (boto3 comes with the Lambda runtime), sorted, with fixed
timestamps and modes: the same code gives the same zip, hence the same
CodeSha256, and a deploy with no change is a no-op. Handler in Lambda:
lambda_alert.handler.handler.

    .venv/bin/python scripts/build_lambda.py [--output PATH]
"""

import argparse
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "lambda_alert"
DEFAULT_OUTPUT = ROOT / "dist" / "lambda_alert.zip"
EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip can hold
FILE_MODE = 0o100644  # a regular file, rw-r--r--
UNIX = 3  # ZipInfo.create_system: the modes above are Unix modes


def build(output: Path = DEFAULT_OUTPUT, *, source: Path = ROOT / PACKAGE) -> Path:
    """Write the package's modules to a zip at output; the zip's path."""
    modules = sorted(source.glob("*.py"))
    if not any(path.name == "handler.py" for path in modules):
        raise FileNotFoundError(f"no handler.py in {source}")
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".partial")
    with zipfile.ZipFile(partial, "w") as archive:
        for path in modules:
            info = zipfile.ZipInfo(f"{PACKAGE}/{path.name}", date_time=EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = UNIX
            info.external_attr = FILE_MODE << 16
            archive.writestr(info, path.read_bytes(), compresslevel=9)
    # Renamed into place: a deploy never picks up a half-written zip.
    partial.replace(output)
    return output


def main(argv: list[str] | None = None) -> int:
    """Build the zip, print its path and size."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    path = build(args.output)
    print(f"{path} {path.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
