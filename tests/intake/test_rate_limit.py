"""The rate limit per client: IPv6 clients are counted by their /64, so one subscriber cannot take 2^64 allowances."""

from __future__ import annotations

import pytest
from werkzeug.test import Client

from impart.intake.rate_limit import client_key
from tests.helpers.form import valid_submission
from tests.helpers.handler import ENDPOINT, ORIGIN, URLENCODED, stored, urlencoded


def post(client, fields, **kw):
    return client.post(ENDPOINT, data=urlencoded(fields), content_type=URLENCODED, headers=ORIGIN, **kw)


@pytest.mark.parametrize(
    ("address", "key"),
    [
        ("192.0.2.7", "192.0.2.7"),
        ("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64"),
        ("2001:db8:1:2::1", "2001:db8:1:2::/64"),
        ("2001:db8:1:3::1", "2001:db8:1:3::/64"),
        ("::ffff:192.0.2.7", "192.0.2.7"),
        ("fe80::1%eth0", "fe80::/64"),
        ("unknown", "unknown"),
    ],
)
def test_ipv6_clients_are_counted_by_their_64(address, key):
    assert client_key(address) == key


def test_one_ipv6_64_shares_one_allowance(make_app, proposals):
    client = Client(make_app(rate_limit=(2, 600)))
    answers = [valid_submission(name=f"Ada {n}") for n in range(4)]
    statuses = [
        post(client, answers[n], environ_base={"REMOTE_ADDR": f"2001:db8:1:2::{n + 1:x}"}).status_code for n in range(3)
    ]
    other_network = post(client, answers[3], environ_base={"REMOTE_ADDR": "2001:db8:1:3::1"}).status_code

    assert statuses == [303, 303, 429]
    assert other_network == 303
    assert len(stored(proposals)) == 3
