"""Acts outside cluster and innovation policy yield no mechanisms; acts inside are recognised in RU and BE."""
import pytest

from extractors.scope import act_scope


@pytest.mark.parametrize("text,expected", [
    ("Участниками кластера являются не менее 10 организаций.", True),
    ("Управляющая компания индустриального (промышленного) парка представляет отчет.", True),
    ("Субсидии предоставляются субъектам малого и среднего предпринимательства.", True),
    ("Рэзідэнты тэхнапарка маюць права на льготы.", True),
    ("Удзельнікі кластара заключаюць пагадненне.", True),
    ("Резиденты особой экономической зоны освобождаются от налога.", True),
    ("О Координационном совете по кадровому обеспечению промышленного (экономического) роста", True),
    ("Медицинская организация обязана предоставить потребителю информацию о платных услугах.", False),
    ("Плата за жилищно-коммунальные услуги вносится ежемесячно до 25-го числа.", False),
    ("", False),
])
def test_scope_domain_words_decide(text, expected):
    scope = act_scope(text)
    assert scope.in_scope is expected
    assert bool(scope.evidence) is expected
