"""``manage.py directory_check [--user ID]``: can this server reach the city's directory?

For each way of signing in with 庁内アカウント that the environment turns on (OIDC, LDAP), it
makes the connection tsunagu will make at a sign-in, without signing anyone in:

- OIDC: fetches the provider's signing keys (JWKS) and looks for one of the configured algorithm;
- LDAP: binds with the reading account (or the template needs none) and, with ``--user``, finds
  that person's entry and shows the name and e-mail tsunagu would take from it.

It prints what it found in Japanese and exits with 1 if anything failed.
"""

from __future__ import annotations

import requests
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "庁内アカウント（OIDC・LDAP）の接続を確かめます。"

    def add_arguments(self, parser):
        parser.add_argument("--user", default="", help="ディレクトリで探す職員のユーザーID（LDAP）")

    def handle(self, *args, user: str, **options):
        checks = []
        if settings.TSUNAGU_OIDC_ENABLED:
            checks.append(("OIDC", self._oidc))
        if getattr(settings, "TSUNAGU_LDAP_ENABLED", False):
            checks.append(("LDAP", lambda: self._ldap(user)))
        if not checks:
            self.stdout.write(
                "庁内アカウントでのログインは設定されていません"
                "（TSUNAGU_OIDC_* / TSUNAGU_LDAP_* が未設定）。"
            )
            return
        failed = []
        for name, check in checks:
            try:
                for line in check():
                    self.stdout.write(f"[{name}] {line}")
                self.stdout.write(self.style.SUCCESS(f"[{name}] OK"))
            except CheckFailed as exc:
                failed.append(name)
                self.stderr.write(self.style.ERROR(f"[{name}] {exc}"))
        if failed:
            raise CommandError("確認できなかったもの: " + "、".join(failed), returncode=1)

    def _oidc(self):
        url = settings.OIDC_OP_JWKS_ENDPOINT
        yield f"認可エンドポイント: {settings.OIDC_OP_AUTHORIZATION_ENDPOINT}"
        try:
            response = requests.get(url, verify=settings.OIDC_VERIFY_SSL, timeout=10)
            response.raise_for_status()
            keys = response.json().get("keys", [])
        except requests.RequestException as exc:
            raise CheckFailed(f"JWKS（{url}）を取得できません: {exc}") from exc
        except ValueError as exc:
            raise CheckFailed(f"JWKS（{url}）が JSON ではありません") from exc
        algorithm = settings.OIDC_RP_SIGN_ALGO
        usable = [k for k in keys if k.get("alg", algorithm) == algorithm]
        if not usable:
            raise CheckFailed(f"JWKS（{url}）に {algorithm} の鍵がありません（鍵 {len(keys)} 個）")
        yield f"JWKS: {url}（{algorithm} の鍵 {len(usable)} 個）"
        yield f"ユーザーIDのクレーム: {settings.TSUNAGU_OIDC_USERNAME_CLAIM}"

    def _ldap(self, username: str):
        import ldap
        from django_auth_ldap.backend import LDAPBackend, _LDAPUser

        backend = LDAPBackend()
        yield f"サーバー: {settings.AUTH_LDAP_SERVER_URI}"
        searching = getattr(settings, "AUTH_LDAP_USER_DN_TEMPLATE", None) is None
        probe = _LDAPUser(backend, username=username or "-")
        try:
            if searching:
                probe._bind()  # the reading account (anonymous when none is set)
                yield f"検索用アカウントで接続しました: {settings.AUTH_LDAP_BIND_DN or '（匿名）'}"
            if not username:
                if not searching:
                    probe._get_connection().whoami_s()
                    yield "接続しました（DN の形で探すため、検索用アカウントは使いません）"
                yield "--user を付けると、その職員の項目を探します"
                return
            dn = probe.dn
            if dn is None:
                raise CheckFailed(f"ディレクトリに「{username}」が見つかりません")
            attrs = probe.attrs
        except ldap.LDAPError as exc:
            raise CheckFailed(f"ディレクトリに接続できません: {_ldap_message(exc)}") from exc
        if attrs is None:
            raise CheckFailed(
                f"「{username}」の DN {dn} を読めません（その項目がないか、権限がない）"
            )
        yield f"見つかりました: {dn}"
        for field, attribute in settings.AUTH_LDAP_USER_ATTR_MAP.items():
            values = attrs.get(attribute) or ["（なし）"]
            label = {"display_name": "氏名", "email": "メールアドレス"}.get(field, field)
            yield f"{label}（{attribute}）: {values[0]}"


class CheckFailed(Exception):
    pass


def _ldap_message(exc) -> str:
    detail = exc.args[0] if exc.args and isinstance(exc.args[0], dict) else {}
    return " ".join(str(detail.get(k, "")) for k in ("desc", "info") if detail.get(k)) or repr(exc)
