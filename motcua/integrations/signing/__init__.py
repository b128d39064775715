"""PAdES seals of the units that issue results (NĐ 45/2020 Điều 14: an electronic result has the
legal value of the paper one because the competent agency signs it digitally).

Backends, chosen by `MOTCUA_INTEGRATIONS["signing"]` (motcua.integrations.registry):
- "local" (local.py): each unit's PKCS#12 file (or PEM key + certificate) in a folder;
- "remote" (remote.py): a remote-signing service (ký số từ xa, as VNPT SmartCA or Viettel MySign
  offer): the document's digest goes to the service, which signs it with the unit's key in its HSM;
  spoken here in the shape of the Cloud Signature Consortium API (credentials/info,
  signatures/signHash). simulator.py is its stand-in on loopback.
`testca.py` makes the TEST certificate authority of the demo and the tests.
"""
