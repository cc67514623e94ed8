from django.db import models
from django.utils.translation import gettext_lazy as _


class StoredFile(models.Model):
    """The name a file was uploaded under, for a file stored under a random name.

    Storage names are random (files.receivers) so that neither a URL nor a directory
    listing says what a file is about; the original name is shown, and used as the
    download name, only to those who may read the file. No user is referenced: the
    uploader is the image's or document's own `uploaded_by_user` (their data map).
    """

    path = models.CharField(_("storage path"), max_length=255, unique=True)
    original_name = models.CharField(_("original name"), max_length=255)
    created_at = models.DateTimeField(_("stored"), auto_now_add=True)

    class Meta:
        verbose_name = _("stored file")
        verbose_name_plural = _("stored files")

    def __str__(self) -> str:
        return self.original_name
