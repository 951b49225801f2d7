"""Agent API views (filled in by the next commit)."""

from django.http import JsonResponse


def _not_yet(request):
    return JsonResponse({"error": "not implemented yet"}, status=501)


enroll = reports = config = openapi = docs = _not_yet
