#!/usr/bin/env python3
"""Kiểm tra gói hồ sơ lưu trữ điện tử của MotCua, không cần mạng, không cần phần mềm MotCua.

Chỉ dùng thư viện chuẩn của Python (3.8 trở lên). Cách dùng:

    python3 verify_package.py              kiểm tra thư mục chứa tệp này (gói đã giải nén)
    python3 verify_package.py <thư mục>    kiểm tra một gói đã giải nén
    python3 verify_package.py <tệp .zip>   kiểm tra thẳng tệp nén, không cần giải nén

Kiểm tra:
  1. mã SHA-256 của manifest.json khớp với mã ghi trong manifest.sha256;
  2. mọi tệp ghi trong manifest.json đều có mặt, đúng dung lượng và đúng mã SHA-256;
  3. không có tệp nào ngoài danh sách (trừ tệp hệ thống như .DS_Store, Thumbs.db);
  4. nhật ký xử lý (events.json) liền mạch: số thứ tự liên tiếp, mỗi sự kiện nối với mã băm của
     sự kiện trước. (Mã HMAC của từng sự kiện cần khóa của hệ thống, chỉ kiểm tra được trên
     hệ thống bằng lệnh `manage.py verify_audit`.)

Kết quả: mã thoát 0 nếu gói nguyên vẹn, 1 nếu có sai lệch (liệt kê từng tệp sai), 2 nếu không đọc
được gói. So mã SHA-256 của manifest in ra với mã hệ thống đã ghi khi lưu trữ.

(This file is shipped inside every archive package as `verify_package.py`; it must keep to the
standard library and to Python 3.8 syntax.)
"""

# It runs on the archivist's Python, 3.8 or later: no newer syntax.
import hashlib
import json
import os
import sys
import unicodedata
import zipfile

MANIFEST = "manifest.json"
DIGEST = "manifest.sha256"
FORMAT = "motcua-archive-package/1"
# Files an operating system drops into folders it shows; never part of a package.
IGNORED = {".DS_Store", "Thumbs.db", "desktop.ini"}
IGNORED_DIRS = {"__MACOSX", "__pycache__"}
CHUNK = 1024 * 1024


def _nfc(path):
    # macOS may store file names decomposed (NFD); the manifest's names are composed (NFC).
    return unicodedata.normalize("NFC", path.replace(os.sep, "/"))


class DirectoryPackage:
    def __init__(self, root):
        self.root = root
        self.names = {}
        for folder, dirs, files in os.walk(root):
            dirs[:] = [d for d in dirs if d not in IGNORED_DIRS]
            for name in files:
                if name in IGNORED:
                    continue
                full = os.path.join(folder, name)
                self.names[_nfc(os.path.relpath(full, root))] = full

    def digest(self, name):
        sha, size = hashlib.sha256(), 0
        with open(self.names[name], "rb") as f:
            for chunk in iter(lambda: f.read(CHUNK), b""):
                sha.update(chunk)
                size += len(chunk)
        return sha.hexdigest(), size

    def read(self, name):
        with open(self.names[name], "rb") as f:
            return f.read()


class ZipPackage:
    def __init__(self, path):
        self.zip = zipfile.ZipFile(path)
        entries = [i for i in self.zip.infolist() if not i.is_dir()]
        parts = [i.filename.split("/") for i in entries]
        # The package's files sit in one top folder (named after the dossier code): strip it.
        tops = {p[0] for p in parts if len(p) > 1}
        strip = len(tops) == 1 and all(len(p) > 1 for p in parts)
        self.names = {}
        for info in entries:
            p = info.filename.split("/")
            if p[-1] in IGNORED or IGNORED_DIRS & set(p[:-1]):
                continue
            self.names[_nfc("/".join(p[1:] if strip else p))] = info

    def digest(self, name):
        sha, size = hashlib.sha256(), 0
        with self.zip.open(self.names[name]) as f:
            for chunk in iter(lambda: f.read(CHUNK), b""):
                sha.update(chunk)
                size += len(chunk)
        return sha.hexdigest(), size

    def read(self, name):
        return self.zip.read(self.names[name])


def check_events(package, problems):
    """The event log's links, as far as they can be checked without the system's key."""
    try:
        log = json.loads(package.read("events.json").decode("utf-8"))
        events = log["su_kien"]
    except (KeyError, ValueError, TypeError):
        problems.append("events.json: không đọc được nhật ký xử lý")
        return
    previous_hash, expected_seq = "", 1
    for event in events:
        if event.get("seq") != expected_seq:
            problems.append(f"events.json: sự kiện số {event.get('seq')} (cần số {expected_seq})")
        if event.get("prev_hash", "") != previous_hash:
            problems.append(f"events.json: sự kiện số {event.get('seq')} không nối với sự kiện trước")
        previous_hash, expected_seq = event.get("hash", ""), expected_seq + 1
    if log.get("last_event_hash", previous_hash) != previous_hash:
        problems.append("events.json: sự kiện cuối không khớp với mã băm cuối của hồ sơ")


def verify(package):
    """Return (problems, manifest digest or None)."""
    problems = []
    for required in (MANIFEST, DIGEST):
        if required not in package.names:
            return [f"thiếu tệp {required}: không phải gói lưu trữ hoặc gói đã bị cắt bớt"], None
    recorded = package.read(DIGEST).decode("utf-8", "replace").split()
    manifest_sha, _ = package.digest(MANIFEST)
    if not recorded or recorded[0].lower() != manifest_sha:
        problems.append(f"{MANIFEST}: mã SHA-256 {manifest_sha} không khớp với {DIGEST} (manifest đã bị sửa)")
    try:
        manifest = json.loads(package.read(MANIFEST).decode("utf-8"))
        listed = manifest["files"]
        if manifest.get("format") != FORMAT:
            problems.append(f"{MANIFEST}: định dạng {manifest.get('format')!r}, cần {FORMAT!r}")
    except (KeyError, ValueError, TypeError):
        problems.append(f"{MANIFEST}: không đọc được danh sách tệp")
        return problems, manifest_sha
    seen = set()
    for entry in listed:
        path = _nfc(str(entry.get("path", "")))
        seen.add(path)
        if path not in package.names:
            problems.append(f"{path}: thiếu tệp")
            continue
        sha, size = package.digest(path)
        if size != entry.get("size"):
            problems.append(f"{path}: dung lượng {size} byte, manifest ghi {entry.get('size')} byte")
        if sha != entry.get("sha256"):
            problems.append(f"{path}: mã SHA-256 không khớp (tệp đã bị thay đổi)")
    for extra in sorted(set(package.names) - seen - {MANIFEST, DIGEST}):
        problems.append(f"{extra}: tệp thừa, không có trong manifest")
    if "events.json" in seen and "events.json" in package.names:
        check_events(package, problems)
    return problems, manifest_sha


def main(argv):
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(errors="replace")  # a console that cannot show Vietnamese still works
    target = argv[1] if len(argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    try:
        package = ZipPackage(target) if os.path.isfile(target) else DirectoryPackage(target)
    except (OSError, zipfile.BadZipFile) as exc:
        print(f"KHÔNG ĐỌC ĐƯỢC GÓI {target}: {exc}")
        return 2
    problems, manifest_sha = verify(package)
    if manifest_sha:
        print(f"SHA-256 của {MANIFEST}: {manifest_sha}")
    if problems:
        print(f"GÓI KHÔNG NGUYÊN VẸN ({len(problems)} sai lệch):")
        for problem in problems:
            print(f"  - {problem}")
        return 1
    print(f"GÓI NGUYÊN VẸN: {len(package.names) - 2} tệp khớp với manifest.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
