"""The built site served as a production static host would: compression, caching, validators, types."""

from __future__ import annotations

import gzip
import threading

import pytest
from bs4 import BeautifulSoup
from werkzeug.test import Client

from impart.serve.static_site import StaticSite

HTML = b"<!doctype html><title>x</title>" + b"<p>words</p>" * 200


@pytest.fixture
def client(tmp_path):
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes/index.html").write_bytes(HTML)
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets/bundle.0123abcd.min.js").write_text("console.log(1);" * 100)
    (tmp_path / "assets/logo.png").write_bytes(b"\x89PNG" + bytes(100))
    (tmp_path / "feed_json_created.json").write_text('{"items": []}')
    (tmp_path / "404.html").write_text("<!doctype html><title>Not found</title>")
    (tmp_path / ".secret").write_text("no")
    return Client(StaticSite(tmp_path))


def test_text_is_gzipped_when_accepted_and_html_is_revalidated(client):
    response = client.get("/notes/", headers={"Accept-Encoding": "gzip, br"})
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(response.get_data()) == HTML
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert response.headers["Cache-Control"] == "no-cache"
    assert response.headers["Vary"] == "Accept-Encoding"
    assert response.headers["ETag"] and response.headers["Last-Modified"]
    plain = client.get("/notes/")
    assert "Content-Encoding" not in plain.headers and plain.get_data() == HTML
    assert plain.headers["ETag"] != response.headers["ETag"]


def test_fingerprinted_assets_are_immutable_and_images_are_not_compressed(client):
    script = client.get("/assets/bundle.0123abcd.min.js", headers={"Accept-Encoding": "gzip"})
    assert script.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert script.headers["Content-Type"].startswith("text/javascript")
    image = client.get("/assets/logo.png", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in image.headers and image.headers["Content-Type"] == "image/png"
    assert client.get("/feed_json_created.json").headers["Content-Type"].startswith("application/feed+json")


def test_a_matching_etag_gets_304(client):
    first = client.get("/notes/", headers={"Accept-Encoding": "gzip"})
    again = client.get("/notes/", headers={"Accept-Encoding": "gzip", "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""


@pytest.mark.parametrize(("path", "status"), [("/missing/", 404), ("/.secret", 404), ("/../etc/passwd", 404)])
def test_missing_hidden_and_outside_files_get_the_404_page(client, path, status):
    response = client.get(path)
    assert response.status_code == status
    assert b"Not found" in response.get_data()


def test_a_folder_without_its_slash_is_redirected(client):
    response = client.get("/notes?x=1")
    assert response.status_code == 301 and response.headers["Location"].endswith("/notes/?x=1")
    assert client.post("/notes/").status_code == 405


# -- the static site's paths --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["/" + "a" * 256, "/field-notes/" + "a" * 300 + "/", "/" + "é" * 128 + ".html", "/x/" + "b" * 5000],
    ids=["256-bytes", "300-byte-folder", "256-bytes-of-utf8", "5000-bytes"],
)
def test_a_path_segment_no_filesystem_can_hold_is_404(built_site, path):
    response = Client(StaticSite(built_site.root)).get(path)

    assert response.status_code == 404
    assert BeautifulSoup(response.get_data(as_text=True), "html.parser").title is not None


def test_a_first_publish_that_moves_the_folder_mid_answer_is_answered_from_the_new_release(tmp_path, monkeypatch):
    """The first publish renames a site built in place into releases/, then links `site` to the new release a
    moment later; a request that found its file before the rename gets the page from the link, not an error."""
    site, releases = tmp_path / "site", tmp_path / "releases"
    site.mkdir()
    releases.mkdir()
    (site / "index.html").write_text("<p>old</p>", encoding="utf-8")
    new = releases / "new"
    new.mkdir()
    (new / "index.html").write_text("<p>new</p>", encoding="utf-8")
    app = StaticSite(site)
    answer = StaticSite.file_response
    published = []

    def publish_then_answer(self, request, path, status=200):
        if not published:  # impart publish runs between finding the file and reading it
            site.rename(releases / "old")
            link = threading.Timer(0.001, site.symlink_to, (new,), {"target_is_directory": True})
            link.start()
            published.append(link)
        return answer(self, request, path, status)

    monkeypatch.setattr(StaticSite, "file_response", publish_then_answer)
    response = Client(app).get("/")
    published[0].join()
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "<p>new</p>"
