"""Owner care's pages: an SMS to one customer, a consent answer, batches (群发), and the URLs
the SMS providers post delivery reports and replies to."""

from __future__ import annotations

import hmac
import json
import uuid

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from anchang.care import policies, selectors, services
from anchang.care.backends import aliyun, tencent
from anchang.care.forms import BatchDecideForm, BatchForm, ConsentForm, MessageForm
from anchang.care.services.batches import REFUSALS
from anchang.care.services.messages import message_preview
from anchang.customers.selectors import customer_get_visible
from anchang.errors import NotFound
from anchang.forms_errors import submit_form

CALLBACK_BODY_MAX = 256 * 1024


@login_required
@require_http_methods(["GET", "POST"])
def message_new(request, pk: int):
    customer = customer_get_visible(actor=request.user, pk=pk)
    if not policies.can_message_customer(request.user, customer):
        raise PermissionDenied
    templates = list(selectors.templates_for(project_id=customer.project_id))
    wanted = request.POST.get("template") or request.GET.get("template")
    chosen = next(
        (t for t in templates if str(t.pk) == wanted), templates[0] if templates else None
    )
    data = request.POST if request.method == "POST" and "send" in request.POST else None
    form = MessageForm(data, templates=templates, chosen=chosen)
    status = 200
    if data is not None:
        submitted = submit_form(
            request, form,
            lambda cleaned: services.message_queue(
                actor=request.user, customer=customer,
                template=selectors.template_get(project_id=customer.project_id,
                                                pk=cleaned["template"]),
                params=form.params(), send_at=cleaned["send_at"],
                key=request.POST.get("idempotency_key") or None,
            ),
            done=_("Queued: it goes out in the outbox."),
            to=reverse("customers:detail", kwargs={"pk": customer.pk}),
        )  # fmt: skip
        if submitted.response:
            return submitted.response
        status = submitted.status
    preview = message_preview(chosen, customer=customer, sender=request.user) if chosen else ""
    context = {"customer": customer, "form": form, "chosen": chosen, "preview": preview,
               "templates": templates, "request_key": uuid.uuid4().hex}  # fmt: skip
    return render(request, "care/message_new.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def consent(request, pk: int):
    customer = customer_get_visible(actor=request.user, pk=pk)
    if not policies.can_record_consent(request.user, customer):
        raise PermissionDenied
    form = ConsentForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        submitted = submit_form(
            request, form,
            lambda data: services.consent_set(actor=request.user, customer=customer, **data),
            done=_("The answer is recorded."),
            to=reverse("customers:detail", kwargs={"pk": customer.pk}),
        )  # fmt: skip
        if submitted.response:
            return submitted.response
        status = submitted.status
    context = {"customer": customer, "form": form,
               "consents": selectors.customer_consents(customer)}  # fmt: skip
    return render(request, "care/consent.html", context, status=status)


def _callback_payload(request, token: str) -> object:
    """The JSON a provider posted to its secret URL; 404 for a wrong or unset token (the URL
    tells nobody whether it exists)."""
    expected = settings.SMS_CALLBACK_TOKEN
    if not expected or not hmac.compare_digest(token.encode(), expected.encode()):
        raise Http404
    body = request.body
    if len(body) > CALLBACK_BODY_MAX:
        raise Http404
    try:
        return json.loads(body)
    except ValueError:
        return None


@csrf_exempt  # posted by the provider's servers, authenticated by the secret URL
@require_POST
def callback(request, provider: str, kind: str, token: str):
    module = {"aliyun": aliyun, "tencent": tencent}.get(provider)
    if module is None or kind not in ("reports", "replies"):
        raise Http404
    payload = _callback_payload(request, token)
    if kind == "reports":
        services.receipts_record(provider, module.parse_reports(payload))
    else:
        for phone, text in module.parse_replies(payload):
            services.reply_record(backend=provider, phone=phone, text=text)
    return JsonResponse(module.CALLBACK_OK)


@login_required
def batches(request):
    if not selectors.batch_projects(request.user):
        raise PermissionDenied
    rows = list(selectors.batches_for(request.user)[:100])
    may_build = bool(policies.duty_project_ids(request.user, "runs_batches"))
    return render(request, "care/batches.html", {"batches": rows, "may_build": may_build})


@login_required
@require_http_methods(["GET", "POST"])
def batch_new(request):
    projects = selectors.batch_build_projects(request.user)
    if not projects:
        raise PermissionDenied
    wanted = request.POST.get("project") or request.GET.get("project")
    project = next((p for p in projects if str(p.pk) == wanted), projects[0])
    templates = list(selectors.templates_for(project_id=project.pk))
    wanted = request.POST.get("template") or request.GET.get("template")
    chosen = next(
        (t for t in templates if str(t.pk) == wanted), templates[0] if templates else None
    )
    options = selectors.audience_options(project)
    data = request.POST if request.method == "POST" else None
    form = BatchForm(data, templates=templates, chosen=chosen, **options)
    status, preview = 200, None
    if data is not None:

        def call(cleaned, create: bool):
            args = {
                "actor": request.user, "project": project,
                "template": selectors.template_get(project_id=project.pk, pk=cleaned["template"]),
                "params": form.params(), "audience": form.audience(),
                "send_at": cleaned["send_at"],
            }  # fmt: skip
            if not create:
                return services.batch_preview(**args)
            key = request.POST.get("idempotency_key") or None
            return services.batch_create(title=cleaned["title"], key=key, **args)

        create = "create" in request.POST
        submitted = submit_form(
            request, form, lambda cleaned: call(cleaned, create),
            done=_("The batch is saved.") if create else None,
            to=(lambda batch: reverse("care:batch", args=[batch.pk])) if create else None,
        )  # fmt: skip
        if submitted.response:
            return submitted.response
        status, preview = submitted.status, submitted.result
    context = {"form": form, "projects": projects, "project": project, "templates": templates,
               "chosen": chosen, "preview": preview, "request_key": uuid.uuid4().hex,
               "refusals": REFUSALS}  # fmt: skip
    return render(request, "care/batch_new.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def batch(request, pk: int):
    try:
        batch = selectors.batch_get(request.user, pk)
    except NotFound as missing:
        raise Http404 from missing
    may_decide = (
        batch.status == "pending"
        and policies.can(request.user, "approves_batches", batch.project_id)
        and batch.created_by_id != request.user.pk
    )
    form = BatchDecideForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        submitted = submit_form(
            request, form,
            lambda data: services.batch_decide(
                actor=request.user, batch=batch, approve=data["decision"] == "approve",
                comment=data["comment"],
            ),
            done=_("Decided."), to=reverse("care:batch", args=[batch.pk]),
        )  # fmt: skip
        if submitted.response:
            return submitted.response
        status = submitted.status
    context = {"batch": batch, "counts": selectors.batch_counts(batch), "form": form,
               "text": selectors.batch_text(batch),
               "may_decide": may_decide, "refusals": REFUSALS}  # fmt: skip
    return render(request, "care/batch.html", context, status=status)
