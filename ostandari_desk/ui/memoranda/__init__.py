"""The «تفاهم‌نامه‌ها و اعتبارات» and «دفاتر تسهیلگری» areas: the memoranda register with its progress and
payments (memoranda_page, memorandum_dialog, progress_dialog, payment_dialog), the credits by county
(credits_page), the facilitation offices (offices_page, office_dialog) and the area's tabs (area)."""
