"""Admin panels that ask `permissions` what an editor may see."""

from wagtail.admin.panels import FieldPanel


class VisibleGroupPanel(FieldPanel):
    """A working-group select listing only the groups the editor may know about — a secret
    group's name must not leak through the admin — plus the one already chosen.

    The page forms restrict (and so validate) their bound rows themselves; this panel also
    covers the blank row the admin clones for "add another", which no form __init__ sees."""

    class BoundPanel(FieldPanel.BoundPanel):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            if self.bound_field is None or self.request is None:
                return
            from .permissions import groups_for_editor  # permissions imports the models

            field = self.form.fields[self.field_name]
            field.queryset = groups_for_editor(
                self.request.user, current=self.form.initial.get(self.field_name)
            )
