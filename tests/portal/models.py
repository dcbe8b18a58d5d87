"""The existing portal's own user: an e-mail login and no username, first or last name."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models


class PortalUserManager(BaseUserManager["PortalUser"]):
    def create_user(self, email: str, password: str | None = None, **extra: Any) -> PortalUser:
        user = self.model(email=self.normalize_email(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> PortalUser:
        return self.create_user(email, password, is_staff=True, is_superuser=True, **extra)


class PortalUser(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(unique=True)
    display_name = models.CharField(max_length=100, blank=True)
    is_staff = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    objects = PortalUserManager()

    def __str__(self) -> str:
        return self.email
