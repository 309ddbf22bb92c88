"""`rules-engine check` over several files or a directory sees what the engine sees: a client id
or a number in two files is an error naming both files and lines."""

from __future__ import annotations

from rules_engine.cli import main
from tests.support import client_text


def check(capsys, *argv) -> tuple[int, str, str]:
    code = main(["check", *map(str, argv)])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_client_id_in_two_files_is_an_error_naming_both(tmp_path, capsys):
    (tmp_path / "alpha.rules").write_text(client_text("alpha", "Alpha speaking", "+13125550200"), "utf-8")
    (tmp_path / "alpha-copy.rules").write_text(client_text("alpha", "Alpha's twin", "+13125550600"), "utf-8")
    code, out, err = check(capsys, tmp_path)
    assert (code, out) == (1, "")
    assert err == (
        f"{tmp_path / 'alpha.rules'}:1:8: error: client `alpha` is also defined in "
        f"{tmp_path / 'alpha-copy.rules'}:1:8\n"
        "  hint: each client id must be unique; this file is not served\n"
        "checked 2 files: 1 error, no warnings\n"
    )


def test_a_number_of_two_clients_is_an_error_naming_both(tmp_path, capsys):
    first, second = tmp_path / "beta.rules", tmp_path / "gamma.rules"
    first.write_text(client_text("beta", "Beta speaking", "+13125550300"), "utf-8")
    second.write_text(client_text("gamma", "Gamma speaking", "+13125550300"), "utf-8")
    code, out, err = check(capsys, first, second)
    assert (code, out) == (1, "")
    assert err == (
        f"{second}:4:15: error: number +13125550300 belongs to two clients: `beta` ({first}:4:15) "
        f"and `gamma` ({second}:4:15)\n"
        "  hint: a dialled number must lead to one client; this file is not served\n"
        "checked 2 files: 1 error, no warnings\n"
    )


def test_files_that_do_not_clash_check_clean(tmp_path, capsys):
    (tmp_path / "beta.rules").write_text(client_text("beta", "Beta speaking", "+13125550300"), "utf-8")
    (tmp_path / "gamma.rules").write_text(client_text("gamma", "Gamma speaking", "+13125550400"), "utf-8")
    assert check(capsys, tmp_path) == (0, "checked 2 files: no errors, no warnings\n", "")


def test_a_client_id_in_a_file_refused_for_a_number_is_reported_beside_the_number(tmp_path, capsys):
    alpha, beta, gamma = (tmp_path / f"{name}.rules" for name in ("alpha", "beta", "gamma"))
    alpha.write_text(client_text("alpha", "Alpha speaking", "+13125550200"), "utf-8")
    beta.write_text(client_text("beta", "Beta speaking", "+13125550200"), "utf-8")  # alpha's number
    gamma.write_text(client_text("beta", "Beta's twin", "+13125550700"), "utf-8")  # beta's id
    code, out, err = check(capsys, tmp_path)
    assert (code, out) == (1, "")
    assert err == (
        f"{beta}:4:15: error: number +13125550200 belongs to two clients: `alpha` ({alpha}:4:15) "
        f"and `beta` ({beta}:4:15)\n"
        "  hint: a dialled number must lead to one client; this file is not served\n"
        f"{beta}:1:8: error: client `beta` is also defined in {gamma}:1:8\n"
        "  hint: each client id must be unique; this file is not served\n"
        "checked 3 files: 2 errors, no warnings\n"
    )
