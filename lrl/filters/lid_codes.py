"""Language codes across language-ID backends, so a plugin names a language once (in py3langid's and
fastText's namespace: ISO 639-1 where the language has a code there, else ISO 639-3) and each backend gets
its own spelling (heliport: ISO 639-3, with OpenLID's individual languages for some macrolanguages)."""

from __future__ import annotations

# ISO 639-1 → ISO 639-3, from Debian's iso-codes (iso_639-3.json, every entry with an alpha_2).
_ISO1_TO_3 = """
    aa:aar ab:abk ae:ave af:afr ak:aka am:amh an:arg ar:ara as:asm av:ava ay:aym az:aze ba:bak be:bel bg:bul bi:bis
    bm:bam bn:ben bo:bod br:bre bs:bos ca:cat ce:che ch:cha co:cos cr:cre cs:ces cu:chu cv:chv cy:cym da:dan de:deu
    dv:div dz:dzo ee:ewe el:ell en:eng eo:epo es:spa et:est eu:eus fa:fas ff:ful fi:fin fj:fij fo:fao fr:fra fy:fry
    ga:gle gd:gla gl:glg gn:grn gu:guj gv:glv ha:hau he:heb hi:hin ho:hmo hr:hrv ht:hat hu:hun hy:hye hz:her ia:ina
    id:ind ie:ile ig:ibo ii:iii ik:ipk io:ido is:isl it:ita iu:iku ja:jpn jv:jav ka:kat kg:kon ki:kik kj:kua kk:kaz
    kl:kal km:khm kn:kan ko:kor kr:kau ks:kas ku:kur kv:kom kw:cor ky:kir la:lat lb:ltz lg:lug li:lim ln:lin lo:lao
    lt:lit lu:lub lv:lav mg:mlg mh:mah mi:mri mk:mkd ml:mal mn:mon mr:mar ms:msa mt:mlt my:mya na:nau nb:nob nd:nde
    ne:nep ng:ndo nl:nld nn:nno no:nor nr:nbl nv:nav ny:nya oc:oci oj:oji om:orm or:ori os:oss pa:pan pi:pli pl:pol
    ps:pus pt:por qu:que rm:roh rn:run ro:ron ru:rus rw:kin sa:san sc:srd sd:snd se:sme sg:sag sh:hbs si:sin sk:slk
    sl:slv sm:smo sn:sna so:som sq:sqi sr:srp ss:ssw st:sot su:sun sv:swe sw:swa ta:tam te:tel tg:tgk th:tha ti:tir
    tk:tuk tl:tgl tn:tsn to:ton tr:tur ts:tso tt:tat tw:twi ty:tah ug:uig uk:ukr ur:urd uz:uzb ve:ven vi:vie vo:vol
    wa:wln wo:wol xh:xho yi:yid yo:yor za:zha zh:zho zu:zul
"""
ISO1_TO_3: dict[str, str] = dict(pair.split(":") for pair in _ISO1_TO_3.split())
ISO3_TO_1: dict[str, str] = {v: k for k, v in ISO1_TO_3.items()}

# Where heliport's model names an individual language instead of the ISO 639-3 macrolanguage.
HELIPORT_ALIASES: dict[str, str] = {
    "fa": "pes", "zh": "cmn", "om": "gaz", "ps": "pbt", "uz": "uzn", "ku": "kmr", "sr": "hbs", "hr": "hbs",
    "bs": "hbs", "no": "nob",
}


def spellings(code: str) -> list[str]:
    """The ways backends may spell ``code``, most direct first."""
    out = [code, ISO1_TO_3.get(code, ""), ISO3_TO_1.get(code, ""), HELIPORT_ALIASES.get(code, "")]
    return [c for i, c in enumerate(out) if c and c not in out[:i]]
