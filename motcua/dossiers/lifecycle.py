"""The law as a table: what may happen to a dossier in each state, who may do it, and why not.

Read a row as "in STATE, ACTION leads to NEW STATE if every guard passes, and then does the effects".
A missing row means the action is not allowed in that state. `services.apply` is the only caller.
"""

import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from motcua.core.errors import DomainError
from motcua.dossiers import effects as e
from motcua.dossiers import guards as g
from motcua.dossiers.context import ActionInput, Context
from motcua.dossiers.states import Action, State

# The state a dossier goes back to after a supplement, a pause or a dropped withdrawal request.
PREVIOUS = "previous"


@dataclass(frozen=True)
class Transition:
    to: str
    guards: tuple[g.Guard, ...] = ()
    effects: tuple[e.Effect, ...] = field(default=())
    # A system (the payment platform, R-29) may take this transition through the one door; every
    # other transition is a person's.
    system_may: bool = False


S, A = State, Action
T = Transition


def each(
    states: tuple[str, ...], action: str, guards: tuple, effects: tuple, *, to: str | None = None
) -> dict[tuple[str, str], Transition]:
    """The same rule in several states; without `to` the dossier stays in the state it is in."""
    return {(state, action): Transition(to or state, guards, effects) for state in states}


TRANSITIONS: dict[tuple[str, str], Transition] = {
    # Reception (NĐ 118 Điều 17)
    # an incomplete paper dossier is guided to a supplement, not received (R-17, NĐ 118 Điều 17 k1)
    (S.SUBMITTED, A.RECEIVE): T(
        S.RECEIVED,
        (g.actor_receives, g.internal_online_not_at_counter, g.counter_dossier_complete),
        (e.attach_documents, e.record_component_check, e.certify_scans, e.start_clock),
    ),
    (S.SUBMITTED, A.REJECT): T(
        S.REJECTED, (g.actor_receives, g.reason_given), (e.attach_documents, e.finish)
    ),
    (S.SUBMITTED, A.REQUEST_SUPPLEMENT): T(
        S.AWAITING_SUPPLEMENT,
        (g.actor_receives, g.supplement_list_complete, g.supplement_only_once),
        (e.open_supplement,),
    ),
    (S.AWAITING_SUPPLEMENT, A.SUBMIT_SUPPLEMENT): T(
        PREVIOUS, (g.actor_is_applicant_or_counter,), (e.close_supplement, e.back_to_resume_state)
    ),
    # Hand-over to the deciding unit and processing along the process version
    (S.RECEIVED, A.FORWARD): T(S.PROCESSING, (g.actor_hands_over,), (e.hand_over,)),
    (S.PROCESSING, A.FORWARD): T(
        S.PROCESSING,
        (g.actor_handles_current_step, g.next_step_exists),
        (e.attach_documents, e.open_next_step),
    ),
    (S.PROCESSING, A.RETURN_TO_STEP): T(
        S.PROCESSING, (g.actor_handles_current_step, g.earlier_step_exists), (e.open_earlier_step,)
    ),
    # After appraisal: one complete supplement request, the clock restarts on completion
    (S.PROCESSING, A.REQUEST_SUPPLEMENT): T(
        S.AWAITING_SUPPLEMENT,
        (g.actor_handles_current_step, g.supplement_list_complete, g.supplement_only_once),
        (e.open_supplement,),
    ),
    # Consultation; the consulted unit answers in its own queue, whatever the lead
    # is waiting for meanwhile
    (S.PROCESSING, A.CONSULT): T(
        S.PROCESSING,
        (g.actor_handles_current_step, g.consultation_well_formed),
        (e.attach_documents, e.open_consultation),
    ),
    **each(
        (S.PROCESSING, S.AWAITING_SUPPLEMENT, S.WITHDRAWAL_REQUESTED),
        A.ANSWER_CONSULTATION,
        (g.actor_in_consulted_unit, g.consultation_open),
        (e.attach_documents, e.record_answer),
    ),
    # Pause only for a lawful reason, never while another agency is consulted
    (S.PROCESSING, A.PAUSE): T(
        S.PAUSED,
        (g.actor_handles_current_step, g.lawful_pause_reason, g.no_open_consultation),
        (e.attach_documents, e.open_pause),
    ),
    # The payment platform may resume a pause for the financial obligation once paid
    (S.PAUSED, A.RESUME): T(
        PREVIOUS,
        (g.actor_handles_step_or_obligation_met,),
        (e.close_pause, e.back_to_resume_state),
        system_may=True,
    ),
    # Stop with a Thông báo dừng (NĐ 118 Điều 21; R-14)
    **each(
        (S.RECEIVED, S.PROCESSING, S.PAUSED),
        A.STOP,
        (g.actor_heads_stop, g.stop_notice_attached),
        (e.attach_documents, e.finish),
        to=S.STOPPED,
    ),
    # Withdrawal: the applicant's written request, then the head's signed approval
    **each(
        (S.RECEIVED, S.PROCESSING, S.PAUSED, S.AWAITING_SUPPLEMENT),
        A.REQUEST_WITHDRAWAL,
        (g.actor_is_applicant_or_counter, g.withdrawal_request_attached),
        (e.attach_documents, e.remember_state),
        to=S.WITHDRAWAL_REQUESTED,
    ),
    (S.WITHDRAWAL_REQUESTED, A.APPROVE_WITHDRAWAL): T(
        S.WITHDRAWN, (g.actor_heads_withdrawal, g.signed_approval_attached), (e.attach_documents, e.finish)
    ),
    (S.WITHDRAWAL_REQUESTED, A.RESUME): T(
        PREVIOUS, (g.actor_heads_withdrawal, g.reason_given), (e.back_to_resume_state,)
    ),
    # Late: one apology with one new date, explained by the head
    **each(
        (S.PROCESSING, S.PAUSED),
        A.APOLOGISE,
        (g.actor_heads_apology, g.apology_at_most_once, g.apology_complete),
        (e.attach_documents, e.record_extension),
    ),
    # Result: only with the result document or a lawful refusal; on the spot at the counter;
    # the deciding unit's seal on the electronic result (NĐ 45/2020 Điều 14, R-30)
    (S.PROCESSING, A.ISSUE_RESULT): T(
        S.RESULT_READY,
        (g.actor_handles_current_step, g.at_decision_step, g.has_result_document, g.consultations_answered),
        (e.attach_documents, e.seal_results, e.record_result),
    ),
    (S.RECEIVED, A.ISSUE_RESULT): T(
        S.RESULT_READY,
        (g.actor_receives, g.on_the_spot_procedure, g.has_result_document),
        (e.attach_documents, e.seal_results, e.record_result),
    ),
    (S.RESULT_READY, A.RETURN_RESULT): T(
        S.RETURNED, (g.actor_returns_result,), (e.attach_documents, e.hand_result_over)
    ),
}


def allowed_actions(state: str) -> list[str]:
    return [action for (s, action) in TRANSITIONS if s == state]


# --- what a person may do now (the buttons of the dossier page) ----------------------------------

# Guards that read neither the action's input nor anything that changes while the dossier waits,
# only the procedure and where the dossier stands in its process: whether an on-the-spot decision
# exists, whether there is a next step to forward to, whether this is the step that decides
# whether the one apology was already made. An action they refuse is not an
# action of this dossier now, so it gets no button. Every other rule (R-13 while a consultation is
# open, R-17, the contents of an apology…) is left to `apply`, which refuses with its message and
# rule id: the officer sees why, the software does not merely hide.
STANDING_GUARDS: frozenset = frozenset(
    {g.on_the_spot_procedure, g.next_step_exists, g.at_decision_step, g.apology_at_most_once}
)


def _is_who_guard(guard: g.Guard) -> bool:
    return guard.__name__.startswith("actor_")


def _passes(dossier, actor, transition: Transition, data: ActionInput, now: datetime.datetime) -> bool:
    ctx = Context(dossier=dossier, actor=actor, data=data, now=now)
    try:
        for guard in transition.guards:
            if _is_who_guard(guard) or guard in STANDING_GUARDS:
                guard(ctx)
    except DomainError:
        return False
    return True


def answerable_consultations(dossier, actor, now: datetime.datetime | None = None) -> list[int]:
    """The awaited consultations of `dossier` that `actor` answers for their unit (R-12, R-16)."""
    transition = TRANSITIONS.get((dossier.state, Action.ANSWER_CONSULTATION))
    if transition is None or dossier.finished_at is not None:
        return []
    now = now or timezone.now()
    return [
        c.pk
        for c in dossier.consultations.all()
        if c.answered_at is None
        and _passes(
            dossier, actor, transition, ActionInput(version=dossier.version, consultation_id=c.pk), now
        )
    ]


def available_actions(dossier, actor, now: datetime.datetime | None = None) -> list[str]:
    """The actions of `allowed_actions(dossier.state)` that `actor` may take on this dossier now.

    A dry run of the transition's who-guards (`actor_*`, R-26) and standing guards, never its
    effects: nothing is written. The input-dependent rules are still `apply`'s to check.
    """
    now = now or timezone.now()
    actions = []
    for action in allowed_actions(dossier.state):
        if action == Action.ANSWER_CONSULTATION:
            if answerable_consultations(dossier, actor, now):
                actions.append(action)
            continue
        if _passes(
            dossier, actor, TRANSITIONS[(dossier.state, action)], ActionInput(version=dossier.version), now
        ):
            actions.append(action)
    return actions
