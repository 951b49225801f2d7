"""Chinese text of the API docs page (/api/v1/docs).

The OpenAPI document stays in English (it is for programs and their authors); the page a
person reads shows each operation's summary through the catalogue. The summaries are written
in collector_server/routes.py; they are listed here so that the catalogue extracts them.
Keep the two in step: a summary not listed here is shown in English.
"""

from django.utils.translation import gettext_noop as N_

SUMMARIES = (
    N_("Enroll a device with an enrollment token"),
    N_("Upload one scan report"),
    N_("Settings the bureau pushes to the agent"),
    N_("Devices the signed-in user may see (their organisation and below)"),
    N_("One device with its ledger fields and latest hardware"),
    N_(
        "The newest signed signature bundle: version, sha256, size, Ed25519 signature "
        "(base64) over the archive, download url"
    ),
    N_(
        "The bundle archive (tar.gz with manifest.json); verify the signature with the key "
        "given at enrollment before using it"
    ),
)
