import pytest

from core.settings import Secret, Settings, SettingsError


def test_defaults_work_on_a_fresh_machine(tmp_path):
    settings = Settings.from_env({"GONGZHI_VAR_DIR": str(tmp_path)})
    assert settings.database_url == f"sqlite:///{tmp_path / 'gongzhi.sqlite3'}"
    assert settings.is_sqlite and not settings.production
    assert settings.threads == 8 and settings.argon2_memory_kib == 65536


def test_development_secret_is_generated_once_and_kept(tmp_path):
    first = Settings.from_env({"GONGZHI_VAR_DIR": str(tmp_path)})
    second = Settings.from_env({"GONGZHI_VAR_DIR": str(tmp_path)})
    assert (tmp_path / "secret_key").read_text() == first.secret_key.value
    assert first.secret_key == second.secret_key
    assert len(first.secret_key.value) >= 32


def test_production_refuses_to_start_without_a_secret(tmp_path):
    with pytest.raises(SettingsError, match="GONGZHI_SECRET_KEY"):
        Settings.from_env({"GONGZHI_VAR_DIR": str(tmp_path), "GONGZHI_PRODUCTION": "1"})
    assert not (tmp_path / "secret_key").exists()


def test_a_short_secret_is_refused(tmp_path):
    with pytest.raises(SettingsError):
        Settings.from_env({"GONGZHI_VAR_DIR": str(tmp_path), "GONGZHI_SECRET_KEY": "short"})


def test_bad_numbers_say_which_variable(tmp_path):
    with pytest.raises(SettingsError, match="GONGZHI_THREADS"):
        Settings.from_env({"GONGZHI_VAR_DIR": str(tmp_path), "GONGZHI_THREADS": "many"})
    with pytest.raises(SettingsError, match="GONGZHI_THREADS"):
        Settings.from_env({"GONGZHI_VAR_DIR": str(tmp_path), "GONGZHI_THREADS": "0"})


def test_secret_repr_hides_the_value():
    secret = Secret("s3cr3t-value")
    assert "s3cr3t" not in repr(secret)
    assert "s3cr3t" not in repr(
        Settings(
            database_url="sqlite://",
            secret_key=secret,
            var_dir=None,  # type: ignore[arg-type]
            index_dir=None,
            upload_dir=None,
        )
    )  # type: ignore[arg-type]


def test_settings_are_frozen(tmp_path):
    settings = Settings.from_env({"GONGZHI_VAR_DIR": str(tmp_path)})
    with pytest.raises(AttributeError):
        settings.threads = 2  # type: ignore[misc]
    assert settings.with_changes(threads=2).threads == 2
