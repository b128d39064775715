"""The demo province, loaded once per module and rolled back after it; each test in a savepoint.
An S3-compatible object store (moto's server) for the tests of the documents kept in a bucket."""

from tests.demo_province import demo, on_demo  # noqa: F401 (fixtures)
from tests.documents.sealing import seals  # noqa: F401 (fixture)
from tests.object_store import object_store, s3_documents  # noqa: F401 (fixtures)
