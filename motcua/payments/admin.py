from django.contrib import admin

from motcua.payments.models import PaymentTransaction, RefusedCallback


@admin.register(PaymentTransaction)
class PaymentTransactionAdmin(admin.ModelAdmin):
    list_display = ("reference", "dossier", "amount", "state", "platform_transaction_id", "created_at")
    list_filter = ("state",)
    search_fields = ("reference", "dossier__code", "platform_transaction_id")
    readonly_fields = [f.name for f in PaymentTransaction._meta.fields]


@admin.register(RefusedCallback)
class RefusedCallbackAdmin(admin.ModelAdmin):
    list_display = ("received_at", "reference", "reason")
    readonly_fields = ("received_at", "reference", "reason", "payload")
