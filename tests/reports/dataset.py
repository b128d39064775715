"""A small province's first quarter of 2026, made through the real services (submit, apply, the
reminder sender) at fixed times, for the reports' tests. Every expectation in the tests is counted
by hand from the story below; each dossier is named by a letter.

Sở Tư pháp (NOTARY: 20 working days; its step 2, appraisal, 120 working hours):
  A  received 15/12/2025 at the Centre, result 05/01 (before its day), returned 06/01   carried over
  B  online, received 05/01 10:00 (due 02/02 10:00), result 16/03                       late
  C  received 12/01 10:00 (due 09/02 10:00), still at appraisal (step due 02/02 10:00)   late, open
  T  as C, paused 02/03 — after both deadlines had passed                                late, open
  S  received 19/01 08:00, paused 26/01 — before its deadlines                            not late
  E  received 12/01, withdrawn 20/01 (request + the head's signed approval, R-15)
  F  received 02/02 10:00, stopped 10/02 (Thông báo dừng)
  G  received 02/03 08:00, at the Chairman's step at once, refused 10/03 (step due 04/03) early, refused
  D  by post, received 20/03                                                             on time
  R  procedure 1.019902 (full online service, 10 working days) at the counter, 23/03 10:00
  H  refused at reception 05/03
  I  received 03/11/2025, stopped 01/12/2025 — before the quarter, in no figure
  J  received 02/04/2026 — after the quarter, in no figure
Phường Trấn Biên (ON_THE_SPOT, 4 working hours, at its centre's counter):
  K  03/03 09:00, result at the counter 09:10, returned 09:15                          on the spot
  L  04/03 09:00, handed to the leader's step (due 11:30), result 05/03 09:00           late
  U  10/03, asked to supplement at the counter twice (the second citing a special law)
  V  12/03, asked to supplement once, never came back
Sở Nội vụ (CONSULTED, internal, no online service, 15 working days; asks Sở Tài chính):
  M  02/03, consultation due 05/03 09:00, reminded 06/03 and 09/03, answered 10/03;
     apology 18/03 (in time), new date 10/04                                             late
  N  02/03, consultation answered 04/03                                                  late
  O  16/03, consultation due 19/03 09:00, never answered, reminded 20/03
  P  30/03, consultation due 02/04
Sở Ngoại vụ (INTERNAL_ONLINE: internal, full online service, 5 working days):
  Q  online by coquan1, received 09/03 09:00 (due 16/03 09:00), at appraisal;
     apology 16/03 08:00 (an hour before the due time: late)                             late
"""

import datetime
from dataclasses import dataclass

from motcua.documents.models import DocumentKind
from motcua.dossiers.models import Dossier
from motcua.dossiers.reminders import send_consultation_reminders
from motcua.dossiers.services import ApplicantInput
from tests.dossiers.kit import (
    CONSULTED,
    INTERNAL_ONLINE,
    NOTARY,
    ON_THE_SPOT,
    act,
    at,
    consult,
    consulted_processing,
    doc,
    forward_to,
    notary_processing,
    notary_received,
    submit,
)

FULL_ONLINE_NOTARY = "1.019902"  # Đăng ký hoạt động của tổ chức hành nghề công chứng — full online
JUSTICE = "000.00.05.H19"
HOME_AFFAIRS = "000.00.02.H19"
FOREIGN_AFFAIRS = "000.00.04.H19"
FINANCE = "000.00.03.H19"
WARD = "000.00.61.H19"
PROVINCE = "000.00.00.H19"
# When the selectors are asked (after the quarter): lateness is judged at the end of the period.
NOW = at("2026-04-15 08:00")
OWN_IDENTITY = ApplicantInput(kind="", identifier="", name="")


@dataclass
class Quarter:
    codes: dict[str, str]

    def __getitem__(self, letter: str) -> str:
        return self.codes[letter]


def _result(d: Dossier, who: str, when: datetime.datetime, **fields) -> Dossier:
    kind = DocumentKind.REFUSAL if fields.get("outcome") == "refusal" else DocumentKind.RESULT
    return act(d, "issue_result", who, now=when, documents=[doc(kind, signed=True)], **fields)


def _pause(d: Dossier, when: datetime.datetime) -> Dossier:
    return act(
        d,
        "pause",
        "chuyenvien.sotuphap",
        now=when,
        pause_reason="financial_obligation",
        reason="Chờ tổ chức nộp phí thẩm định",
    )


def _answer(d: Dossier, when: datetime.datetime) -> Dossier:
    consultation = d.consultations.get()
    return act(
        d,
        "answer_consultation",
        "chuyenvien.sotaichinh",
        now=when,
        consultation_id=consultation.pk,
        answer="Sở Tài chính thống nhất phương án tài chính.",
    )


def _apology(d: Dossier, who: str, when: datetime.datetime, new_due: datetime.datetime) -> Dossier:
    return act(
        d,
        "apologise",
        who,
        now=when,
        new_due_at=new_due,
        explanation="Hồ sơ phải xác minh thêm tại đơn vị liên quan",
        documents=[doc(DocumentKind.APOLOGY, signed=True)],
    )


def _supplement(d: Dossier, when: datetime.datetime, **fields) -> Dossier:
    return act(
        d,
        "request_supplement",
        "tiepnhan.tranbien",
        now=when,
        items=["Bản chính giấy tờ để đối chiếu"],
        reason="Thiếu bản chính để đối chiếu",
        **fields,
    )


def build() -> Quarter:
    c: dict[str, str] = {}

    # --- Sở Tư pháp ------------------------------------------------------------------------------
    d = forward_to(notary_processing(at("2025-12-15 08:00")), 5, now=at("2025-12-15 08:00"))
    d = _result(d, "lanhdao.ubndtinh", at("2026-01-05 08:00"))
    c["A"] = act(d, "return_result", "tiepnhan.tinh", now=at("2026-01-06 08:00"), delivery="counter").code

    d = forward_to(notary_processing(at("2026-01-05 10:00"), channel="online"), 5, now=at("2026-01-05 10:00"))
    c["B"] = _result(d, "lanhdao.ubndtinh", at("2026-03-16 08:00")).code

    c["C"] = notary_processing(at("2026-01-12 10:00")).code
    c["T"] = _pause(notary_processing(at("2026-01-12 10:00")), at("2026-03-02 08:00")).code
    c["S"] = _pause(notary_processing(at("2026-01-19 08:00")), at("2026-01-26 08:00")).code

    d = notary_processing(at("2026-01-12 08:00"))
    d = act(
        d,
        "request_withdrawal",
        "tiepnhan.tinh",
        now=at("2026-01-19 08:00"),
        documents=[doc(DocumentKind.WITHDRAWAL_REQUEST, by="tiepnhan.tinh")],
    )
    c["E"] = act(
        d,
        "approve_withdrawal",
        "lanhdao.sotuphap",
        now=at("2026-01-20 08:00"),
        documents=[doc(DocumentKind.WITHDRAWAL_APPROVAL, signed=True)],
    ).code

    c["F"] = act(
        notary_processing(at("2026-02-02 10:00")),
        "stop",
        "lanhdao.sotuphap",
        now=at("2026-02-10 08:00"),
        reason="Tổ chức đề nghị dừng giải quyết hồ sơ",
        documents=[doc(DocumentKind.STOP_NOTICE, signed=True)],
    ).code

    d = forward_to(notary_processing(at("2026-03-02 08:00")), 5, now=at("2026-03-02 08:00"))
    c["G"] = _result(
        d,
        "lanhdao.ubndtinh",
        at("2026-03-10 08:00"),
        outcome="refusal",
        reason="Không đủ điều kiện thành lập theo Luật Công chứng",
    ).code

    d = submit(NOTARY, channel="postal", actor="chuyenvien.sotuphap", now=at("2026-03-20 08:00"))
    c["D"] = act(d, "receive", "chuyenvien.sotuphap", now=at("2026-03-20 08:00")).code

    d = submit(FULL_ONLINE_NOTARY, channel="counter", actor="tiepnhan.tinh", now=at("2026-03-23 10:00"))
    c["R"] = act(d, "receive", "tiepnhan.tinh", now=at("2026-03-23 10:00")).code

    d = submit(NOTARY, channel="counter", actor="tiepnhan.tinh", now=at("2026-03-05 08:00"))
    c["H"] = act(
        d,
        "reject",
        "tiepnhan.tinh",
        now=at("2026-03-05 08:10"),
        reason="Không thuộc thẩm quyền của Sở Tư pháp",
    ).code

    c["I"] = act(
        notary_processing(at("2025-11-03 10:00")),
        "stop",
        "lanhdao.sotuphap",
        now=at("2025-12-01 08:00"),
        reason="Tổ chức đề nghị dừng giải quyết hồ sơ",
        documents=[doc(DocumentKind.STOP_NOTICE, signed=True)],
    ).code
    c["J"] = notary_received(at("2026-04-02 08:00")).code

    # --- Phường Trấn Biên ---------------------------------------------------------------------------
    d = submit(ON_THE_SPOT, channel="counter", actor="tiepnhan.tranbien", now=at("2026-03-03 09:00"))
    d = act(d, "receive", "tiepnhan.tranbien", now=at("2026-03-03 09:00"))
    d = _result(d, "tiepnhan.tranbien", at("2026-03-03 09:10"))
    c["K"] = act(d, "return_result", "tiepnhan.tranbien", now=at("2026-03-03 09:15"), delivery="counter").code

    d = submit(ON_THE_SPOT, channel="counter", actor="tiepnhan.tranbien", now=at("2026-03-04 09:00"))
    d = act(d, "receive", "tiepnhan.tranbien", now=at("2026-03-04 09:00"))
    d = act(d, "forward", "tiepnhan.tranbien", now=at("2026-03-04 09:00"))
    c["L"] = _result(d, "lanhdao.tranbien", at("2026-03-05 09:00")).code

    d = submit(ON_THE_SPOT, channel="counter", actor="tiepnhan.tranbien", now=at("2026-03-10 09:00"))
    d = _supplement(d, at("2026-03-10 09:05"))
    d = act(d, "submit_supplement", "tiepnhan.tranbien", now=at("2026-03-11 09:00"))
    c["U"] = _supplement(
        d, at("2026-03-11 09:05"), legal_exception="Khoản 2 Điều 20 Nghị định 23/2015/NĐ-CP"
    ).code

    d = submit(ON_THE_SPOT, channel="counter", actor="tiepnhan.tranbien", now=at("2026-03-12 09:00"))
    c["V"] = _supplement(d, at("2026-03-12 09:05")).code

    # --- Sở Nội vụ consults Sở Tài chính ------------------------------------------------------------
    m = consult(consulted_processing(at("2026-03-02 08:00")), now=at("2026-03-02 09:00"), days=3)
    n = consult(consulted_processing(at("2026-03-02 08:00")), now=at("2026-03-02 09:00"), days=3)
    n = _answer(n, at("2026-03-04 08:00"))
    send_consultation_reminders(at("2026-03-06 08:00"))  # M: first reminder
    send_consultation_reminders(at("2026-03-09 09:00"))  # M: second, copied to Sở Nội vụ
    m = _answer(m, at("2026-03-10 10:00"))
    m = _apology(m, "lanhdao.sonoivu", at("2026-03-18 08:00"), at("2026-04-10 08:00"))
    c["M"], c["N"] = m.code, n.code
    c["O"] = consult(consulted_processing(at("2026-03-16 08:00")), now=at("2026-03-16 09:00"), days=3).code
    send_consultation_reminders(at("2026-03-20 08:00"))  # O: first reminder
    c["P"] = consult(consulted_processing(at("2026-03-30 08:00")), now=at("2026-03-30 09:00"), days=3).code

    # --- Sở Ngoại vụ ----------------------------------------------------------------------------------
    d = submit(INTERNAL_ONLINE, actor="coquan1", now=at("2026-03-09 08:00"), applicant=OWN_IDENTITY)
    d = act(d, "receive", "chuyenvien.songoaivu", now=at("2026-03-09 09:00"))
    d = act(d, "forward", "chuyenvien.songoaivu", now=at("2026-03-09 09:00"))
    c["Q"] = _apology(d, "lanhdao.songoaivu", at("2026-03-16 08:00"), at("2026-03-25 08:00")).code
    return Quarter(c)


__all__ = ["CONSULTED", "NOW", "Quarter", "build"]
