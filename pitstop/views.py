from django.conf import settings
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache


@never_cache
def healthz(request):
    """Which release is live and whether its database answers: read by
    deploy/provision.sh before and after a release goes live, and from outside
    by the stack's health check. No login: it tells nothing else."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        status, code = "unavailable", 503
    else:
        status, code = "ok", 200
    return JsonResponse(
        {"status": status, "release": settings.PITSTOP_RELEASE}, status=code
    )
