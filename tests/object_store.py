"""An S3-compatible object store for the tests: moto's server (`moto[server]`) as a real process on
a free loopback port, spoken to over real HTTP by boto3, as a deployment with
MOTCUA_DOCUMENT_STORAGE=s3 speaks to MinIO or a cloud's S3 (motcua/documents/storage.py).

    from tests.object_store import object_store, s3_documents  # noqa: F401

`object_store` is the process (one per module); `s3_documents` (per test) creates a fresh bucket and
points STORAGES["default"] at it, as the settings do from the environment, so `store_document` and
every `Document.file` of the test read and write that bucket; it yields the bucket's name.
"""

from __future__ import annotations

import itertools

import boto3
import pytest

from tests.simulators import SimulatorProcess, python

REGION = "ap-southeast-1"
ACCESS_KEY = "motcua-test"
SECRET_KEY = "motcua-test-secret"
_buckets = itertools.count(1)


class ObjectStore(SimulatorProcess):
    command = "moto.server"
    ready_path = "/moto-api/"
    name = "Kho đối tượng S3 giả lập (moto)"

    def argv(self) -> list[str]:
        return [python(), "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)]

    def client(self):
        return boto3.client(
            "s3",
            endpoint_url=self.url,
            region_name=REGION,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
        )

    def environment(self, bucket: str) -> dict[str, str]:
        """The variables an operator sets for this store (read by motcua/settings.py)."""
        return {
            "MOTCUA_DOCUMENT_STORAGE": "s3",
            "MOTCUA_S3_BUCKET": bucket,
            "MOTCUA_S3_ENDPOINT_URL": self.url,
            "MOTCUA_S3_REGION": REGION,
            "MOTCUA_S3_ACCESS_KEY": ACCESS_KEY,
            "MOTCUA_S3_SECRET_KEY": SECRET_KEY,
        }

    def storages(self, bucket: str) -> dict:
        """STORAGES as motcua/settings.py builds it from `environment(bucket)`."""
        return {
            "default": {
                "BACKEND": "motcua.documents.storage.PrivateS3Storage",
                "OPTIONS": {
                    "bucket_name": bucket,
                    "endpoint_url": self.url,
                    "region_name": REGION,
                    "access_key": ACCESS_KEY,
                    "secret_key": SECRET_KEY,
                    "addressing_style": "path",
                },
            },
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }

    def new_bucket(self) -> str:
        bucket = f"motcua-tai-lieu-{next(_buckets)}"
        self.client().create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
        return bucket

    def keys(self, bucket: str) -> list[str]:
        listing = self.client().list_objects_v2(Bucket=bucket)
        return sorted(item["Key"] for item in listing.get("Contents", []))


@pytest.fixture(scope="module")
def object_store():
    with ObjectStore() as store:
        yield store


@pytest.fixture
def s3_documents(object_store, settings) -> str:
    bucket = object_store.new_bucket()
    settings.STORAGES = object_store.storages(bucket)  # resets default_storage (setting_changed)
    return bucket
