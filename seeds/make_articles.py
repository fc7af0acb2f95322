"""Write the sample articles of seeds/articles/ (all texts are original, written for akhbar).

Run from the repository root:  python seeds/make_articles.py
The output is byte-for-byte reproducible (fixed zip/gzip timestamps); the generated files are
committed too.  Each file's format, encoding and purpose: seeds/ARTICLES.md.
"""

from __future__ import annotations

import codecs
import gzip
import io
import json
import zipfile
from pathlib import Path

OUT = Path(__file__).resolve().parent / "articles"

# ---------------------------------------------------------------------------------------
# 01: .txt, UTF-8, front matter between --- lines, «» and "" quotes

CAIRO = """---
url: https://akhbar.example/2024/03/12/cairo-water-talks
published_at: 2024-03-12T10:30:00+02:00
source: أخبار المثال
author: مكتب القاهرة
---
وزير الخارجية يبحث مع نظيره السوداني ملف المياه في القاهرة

القاهرة - استقبل وزير الخارجية، الدكتور سامي عبد الهادي، نظيره السوداني الوزير عثمان الطيب في مقر وزارة الخارجية بالقاهرة، اليوم الثلاثاء، لبحث ملف المياه وسبل تعزيز التعاون الإقليمي.
وقال عبد الهادي في مؤتمر صحفي مشترك: «نحن متفقون على أن الحوار هو الطريق الوحيد لحماية حقوق الشعبين».

وأضاف أن اللجنة الفنية المشتركة ستعقد اجتماعها المقبل في الخرطوم مطلع الشهر القادم، لمتابعة ما تم الاتفاق عليه.
من جانبه، أكد الوزير السوداني أن بلاده "لن تقبل بأي إجراء أحادي يمس أمنها المائي"، مشيرا إلى أن التنسيق مع القاهرة "في أفضل حالاته".
وكان مجلس النواب قد ناقش الأسبوع الماضي تقريرا للجنة الشؤون الخارجية حول مشروعات الري الجديدة في الصعيد.
"""

# 02: .txt, Windows-1256, front matter as leading key: value lines + blank line, tatweel (ـ)

AMMAN = """url: https://akhbar.example/2024/04/02/amman-traffic
published_at: 2024-04-02 08:15:00
source: وكالة أنباء المثال
author: هالة سعيد

مديرية الأمن العام تعلن خطة جديـــدة لتنظيم السير في عمّان

عمّان - أعلن مدير الأمن العام، اللـــواء ماجد الخطيب، اليوم الثلاثاء، عن خطة جديدة لتنظيم حركة السير في العاصمة خلال فصل الصيف.
وقال الخطيب في بيان صحفي إن الخطة "تهدف إلى تخفيف الازدحام في الشوارع الرئيسية وتقليل الحوادث المروريـــة".
وأضاف أن دوريات إضافية ستنتشر على الطرق الخارجية، مؤكدا أن «سلامة المواطن تأتي أولا».
وأكدت أمانة عمّان الكبرى أنها ستنسق مع المديرية لإعادة تأهيل عدد من الإشارات الضوئية قبل نهاية الشهر.
"""

# 03: .txt, ISO-8859-6, no front matter, diacritics (ISO-8859-6 has no «» and no Eastern digits)

RABAT = """مجلس النواب يُقِرّ قانون الاستثمار الجديد بعد نقاش طويل

الرباط - صادق مجلس النواب، مساء الاثنين، على مشروع قانون الاستثمار الجديد بأغلبية 210 أصوات، بعد جلسة عامة استمرت أكثر من ست ساعات.
وقال رئيس المجلس، السيد عبد الكريم الوزاني، إن القانون "يفتح صفحة جديدة أمام المستثمرين المحليين والأجانب".
وأوضح وزير الاقتصاد والمالية، الوزير يوسف بنعلي، أن النص الجديد يُبسِّط الإجراءات الإدارية ويُقلِّص آجال معالجة الملفات إلى ثلاثين يوما.
في المقابل، أكدت المعارضة أن القانون "لا يضمن العدالة بين الجهات"، ودعت الحكومة إلى مراجعة بعض بنوده قبل عرضه على مجلس المستشارين.
"""

# 04: .txt, UTF-16 LE with BOM, CRLF line ends, Eastern Arabic digits

BEIRUT = """انطلاق معرض بيروت الدولي للكتاب بمشاركة ٢٥٠ دار نشر

بيروت - افتتح رئيس الحكومة، الرئيس نبيل حداد، مساء الخميس الدورة الـ٦٥ من معرض بيروت الدولي للكتاب، بمشاركة ٢٥٠ دار نشر من ١٨ دولة.
وقال حداد في كلمة الافتتاح إن "الكتاب سيبقى جسر لبنان إلى العالم".
وأكدت وزارة الثقافة أن المعرض يستمر حتى ١٥ كانون الأول، وأنه يتضمن أكثر من ١٢٠ ندوة وأمسية شعرية.
وأضاف مدير المعرض، السيد كريم عيتاني، أن عدد الزوار في الدورة الماضية تجاوز ٣٠٠ ألف زائر، متوقعا «إقبالا أكبر هذا العام».
"""

# 05: .html saved in windows-1256 and declaring it (http-equiv); boilerplate around the article

TUNIS_HTML = """<!DOCTYPE html>
<html lang="ar" dir="rtl">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=windows-1256">
<title>وزارة الصحة تطلق حملة وطنية للتلقيح | أخبار المثال</title>
<meta property="og:title" content="وزارة الصحة تطلق حملة وطنية للتلقيح ضد الحصبة">
<meta property="og:site_name" content="أخبار المثال">
<meta property="article:published_time" content="2024-02-19T07:45:00+01:00">
<meta name="author" content="نادية بن عمر">
<link rel="canonical" href="https://akhbar.example/2024/02/19/tunis-measles-campaign">
</head>
<body>
<header><nav><a href="/">الرئيسية</a> | <a href="/politics">سياسة</a> | <a href="/health">صحة</a></nav></header>
<main>
<article>
<h1>وزارة الصحة تطلق حملة وطنية للتلقيح ضد الحصبة</h1>
<p>تونس - أطلقت وزارة الصحة، صباح الاثنين، حملة وطنية للتلقيح ضد الحصبة تستهدف أكثر من مليون طفل في مختلف الولايات.</p>
<p>وقالت وزيرة الصحة، الدكتورة ليلى المنصوري، خلال زيارتها مركزا صحيا في أريانة: «التلقيح مجاني ومتوفر في كل المراكز الصحية العمومية».</p>
<p>وأضافت أن الوزارة رصدت ميزانية إضافية لتأمين اللقاحات، مؤكدة أن "الهدف هو بلوغ نسبة تغطية تفوق خمسة وتسعين بالمائة".</p>
<p>من جهته، أكد رئيس عمادة الأطباء أن الحملة تأتي بعد تسجيل حالات إصابة في ثلاث ولايات بالجنوب، داعيا الأولياء إلى عدم التأخر.</p>
</article>
</main>
<footer><p>جميع الحقوق محفوظة © أخبار المثال</p></footer>
</body>
</html>
"""

# 06: .json, a single news-please object (maintext, date_publish, authors list)

RIYADH = {
    "title": "توقيع 14 اتفاقية استثمارية بقيمة 9 مليارات ريال في الرياض",
    "description": "وزارة الاستثمار توقع اتفاقيات في قطاعي الطاقة والصناعة.",
    "maintext": (
        "الرياض - أعلنت وزارة الاستثمار، أمس الأحد، توقيع 14 اتفاقية مع شركات محلية ودولية بقيمة إجمالية تبلغ "
        "9 مليارات ريال، خلال منتدى الاستثمار السنوي في الرياض.\n\n"
        'وقال وزير الاستثمار، الوزير خالد الشمري، إن الاتفاقيات "تعكس ثقة المستثمرين في متانة الاقتصاد الوطني".\n\n'
        "وأضاف الشمري أن نحو نصف المشاريع سيتركز في قطاعي الطاقة المتجددة والصناعات التحويلية، مؤكدا أن الوزارة "
        "«ستتابع تنفيذها خطوة بخطوة».\n\n"
        "وأكد رئيس غرفة الرياض التجارية، المهندس سلمان الدوسري، أن المنتدى شهد مشاركة أكثر من ألفي رجل أعمال."
    ),
    "authors": ["سارة القحطاني", "فهد العتيبي"],
    "date_publish": "2024-05-12 08:15:00",
    "date_download": "2024-05-12 09:00:12",
    "url": "https://akhbar.example/2024/05/12/riyadh-investment-forum",
    "source_domain": "akhbar.example",
    "language": "ar",
}

# 07: .jsonl, three wire briefs (id / no id; text, content, body; three date forms)

BRIEFS = [
    {
        "id": "brief-001",
        "title": "وزارة الكهرباء العراقية تعد بتحسين التجهيز خلال الصيف",
        "text": (
            "بغداد - أكد وزير الكهرباء، الوزير حيدر الساعدي، أن الوزارة ستضيف ألفي ميغاواط إلى الشبكة الوطنية قبل حلول الصيف.\n"
            'وقال الساعدي في مؤتمر صحفي إن "ساعات التجهيز ستتحسن تدريجيا في جميع المحافظات".\n'
            "وأضاف أن الوزارة وقعت عقودا لصيانة محطات التوليد في البصرة والناصرية."
        ),
        "published_at": "2024-06-01T14:00:00Z",
        "source": "وكالة المثال",
        "author": "علي الربيعي",
    },
    {
        "title": "مجلس الأمة الكويتي يناقش مشروع الميزانية العامة",
        "content": (
            "الكويت - بدأ مجلس الأمة، اليوم الأحد، مناقشة مشروع الميزانية العامة للدولة للسنة المالية الجديدة.\n"
            "وقال رئيس لجنة الميزانيات، النائب مشعل العنزي، إن اللجنة أوصت بخفض المصروفات غير الضرورية.\n"
            'من جهتها، أكدت وزيرة المالية أن الحكومة "ملتزمة بالحفاظ على الدعم الموجه للمواطنين".'
        ),
        "date": "2024-06-02",
        "url": "https://akhbar.example/2024/06/02/kuwait-budget",
        "source_domain": "akhbar.example",
    },
    {
        "title": "الجزائر تستضيف بطولة إفريقيا لألعاب القوى",
        "body": (
            "الجزائر - أعلن وزير الشباب والرياضة، الوزير رشيد بلقاسم، أن الجزائر ستستضيف بطولة إفريقيا لألعاب القوى في شهر أيلول المقبل.\n"
            "وأضاف بلقاسم أن الملعب الأولمبي في وهران «جاهز لاستقبال أكثر من ألف رياضي».\n"
            "وأكد رئيس الاتحاد الجزائري لألعاب القوى أن المنتخب الوطني بدأ تحضيراته منذ أسابيع."
        ),
        "date_publish": "Mon, 03 Jun 2024 09:45:00 +0300",
        "url": "https://akhbar.example/2024/06/03/algiers-athletics",
        "source": "akhbar.example",
        "author": ["ياسمينة حمدي", "كمال زروقي"],
    },
]

# 08: TREC/ANT-style file with three <DOC>s (no extension needed; here .sgml).
#     Doc 2 has an unescaped "&" and a bare "<"; doc 3 lacks its </AUTHOR> and has a
#     standfirst ABSTRACT that differs from TEXT (kept as first paragraph) plus an &amp; entity.

TREC = """<DOC>
<DOCNO>AKH-economy-1-20240305</DOCNO>
<URL>https://akhbar.example/economy/2024/03/05/central-bank-rates</URL>
<SRC>akhbar</SRC>
<CAT>economy</CAT>
<TITLE>البنك المركزي يثبت أسعار الفائدة للمرة الثالثة</TITLE>
<TIME>Tue, 05 Mar 2024 12:20:00 GMT</TIME>
<AUTHOR>القاهرة - منى فؤاد</AUTHOR>
<ABSTRACT>
القاهرة - قرر البنك المركزي، اليوم الثلاثاء، تثبيت أسعار الفائدة للمرة الثالثة على التوالي، في ظل تراجع معدلات التضخم.
</ABSTRACT>
<TEXT>
القاهرة - قرر البنك المركزي، اليوم الثلاثاء، تثبيت أسعار الفائدة للمرة الثالثة على التوالي، في ظل تراجع معدلات التضخم.
وقال محافظ البنك المركزي، الدكتور هشام الجمال، إن القرار "يهدف إلى دعم استقرار الأسعار وتشجيع الاستثمار".
وأضاف أن لجنة السياسة النقدية ستواصل مراقبة المؤشرات الاقتصادية عن كثب.
</TEXT>
</DOC>
<DOC>
<DOCNO>AKH-economy-2-20240306</DOCNO>
<URL>https://akhbar.example/economy/2024/03/06/sp-rating</URL>
<SRC>akhbar</SRC>
<CAT>economy</CAT>
<TITLE>S&P ترفع التصنيف الائتماني للأردن إلى "مستقر"</TITLE>
<TIME>Wed, 06 Mar 2024 09:05:00 +0300</TIME>
<AUTHOR></AUTHOR>
<ABSTRACT>
عمّان - رفعت وكالة ستاندرد آند بورز (S&P) نظرتها المستقبلية للأردن إلى "مستقر".
</ABSTRACT>
<TEXT>
عمّان - رفعت وكالة ستاندرد آند بورز (S&P) نظرتها المستقبلية للأردن إلى "مستقر"، مشيرة إلى تحسن الإيرادات العامة.
وقال وزير المالية، الوزير عمر الرفاعي، إن القرار "شهادة على نجاح برنامج الإصلاح المالي".
وأكد الرفاعي أن نسبة العجز تراجعت إلى <4% من الناتج المحلي الإجمالي، وأن الحكومة ستواصل ضبط الإنفاق.
</TEXT>
</DOC>
<DOC>
<DOCNO>AKH-world-3-20240307</DOCNO>
<URL>https://akhbar.example/world/2024/03/07/geneva-talks</URL>
<SRC>akhbar</SRC>
<CAT>world</CAT>
<TITLE>جولة جديدة من المحادثات في جنيف &amp; دعوات إلى هدنة إنسانية</TITLE>
<TIME>2024-03-07T18:30:00+01:00</TIME>
<AUTHOR>جنيف - مراسلنا
<ABSTRACT>
الأمم المتحدة تدعو الأطراف إلى هدنة إنسانية فورية قبل شهر رمضان.
</ABSTRACT>
<TEXT>
جنيف - انطلقت، مساء الخميس، جولة جديدة من المحادثات برعاية الأمم المتحدة بين وفدي الحكومة والمعارضة.
وقال المبعوث الأممي، السفير ماركو بيلّي، إن "الفرصة ما زالت قائمة للتوصل إلى اتفاق".
وأكدت وزارة الخارجية السويسرية أنها ستوفر كل التسهيلات اللوجستية للوفدين.
</TEXT>
</DOC>
"""

# 09: Gigaword-style file (no extension): <DOC id type>, HEADLINE, DATELINE, TEXT with <P>
#     (paragraph lines wrapped as in the LDC files).

GIGAWORD = """<DOC id="AKH_ARB_20240310.0001" type="story" >
<HEADLINE>
الرئيس الموريتاني يدشن ميناء الصيد الجديد في نواذيبو
</HEADLINE>
<DATELINE>
نواذيبو 10 آذار/مارس (أخبار المثال) -
</DATELINE>
<TEXT>
<P>
دشن الرئيس الموريتاني محمد الأمين ولد أحمد الأحد ميناء الصيد الجديد في
نواذيبو، بحضور عدد من الوزراء والسفراء المعتمدين.
</P>
<P>
وقال وزير الصيد والاقتصاد البحري، الوزير سيدي ولد محمود، إن الميناء "سيوفر
أكثر من ثلاثة آلاف فرصة عمل مباشرة".
</P>
<P>
وأضاف أن الحكومة تعمل على ربط الميناء بشبكة الطرق الوطنية قبل نهاية العام.
</P>
</TEXT>
</DOC>
<DOC id="AKH_ARB_20240311.0002" type="story" >
<HEADLINE>
انتخاب رئيس جديد للاتحاد العربي لكرة اليد
</HEADLINE>
<DATELINE>
الدوحة 11 آذار/مارس (أخبار المثال) -
</DATELINE>
<TEXT>
<P>
انتخبت الجمعية العمومية للاتحاد العربي لكرة اليد الاثنين السيد جاسم
المري رئيسا جديدا للاتحاد لولاية مدتها أربع سنوات.
</P>
<P>
وأكد المري في كلمة عقب انتخابه أن الاتحاد "سيعمل على تطوير المسابقات
العربية للشباب والسيدات".
</P>
</TEXT>
</DOC>
"""

# 10: .zip holding a .json (object with "text") and a .txt (seed layout: title, summary
#     lines, blank lines, dateline paragraph, cross-head).

KUWAIT_JSON = {
    "id": "kw-2024-0412",
    "title": "افتتاح مستشفى جديد للأطفال في محافظة الجهراء",
    "text": (
        "الكويت - افتتح وزير الصحة، الدكتور أحمد العوضي، اليوم الأربعاء، مستشفى جديدا للأطفال في محافظة الجهراء بسعة 300 سرير.\n"
        'وقال العوضي إن المستشفى "يضم أحدث الأجهزة الطبية ويخدم أكثر من نصف مليون نسمة".\n'
        "وأضاف أن الوزارة ستفتتح مركزين صحيين آخرين قبل نهاية العام."
    ),
    "published_at": "2024-04-12T11:00:00+03:00",
    "url": "https://akhbar.example/2024/04/12/jahra-children-hospital",
    "source": "أخبار المثال",
    "author": "دانة الصباح",
}

DOHA_TXT = """قطر تستضيف مؤتمرا دوليا حول الأمن الغذائي

مؤتمر الدوحة يبحث تأمين سلاسل الإمداد الغذائي في المنطقة
خبراء يدعون إلى زيادة الاستثمار في الزراعة المستدامة

الدوحة - انطلقت في العاصمة القطرية، صباح الثلاثاء، أعمال المؤتمر الدولي للأمن الغذائي بمشاركة وزراء وخبراء من أكثر من ثلاثين دولة.
وقال وزير البلدية، الوزير عبد الله السليطي، في كلمة الافتتاح: «الأمن الغذائي جزء لا يتجزأ من الأمن الوطني».

استثمارات جديدة

وأضاف السليطي أن بلاده خصصت استثمارات جديدة لمشروعات البيوت المحمية وتحلية المياه.
وأكد ممثل منظمة الأغذية والزراعة أن المنطقة "تحتاج إلى خطة مشتركة لمواجهة تقلبات الأسعار".
"""

# 11: .gz of a UTF-8 .txt with front matter

KHARTOUM = """---
url: https://akhbar.example/2024/01/20/khartoum-schools
published_at: 2024-01-20
source: أخبار المثال
---
وزارة التربية تعلن إعادة فتح المدارس في ولاية الخرطوم

الخرطوم - أعلنت وزارة التربية والتعليم، يوم السبت، إعادة فتح المدارس في ولاية الخرطوم مطلع الشهر المقبل بعد إغلاق دام عدة أشهر.
وقال وكيل الوزارة، الأستاذ عمر حسن، إن "سلامة الطلاب والمعلمين تبقى أولوية قصوى".
وأضاف أن الوزارة أعدت جدولا دراسيا مضغوطا لتعويض ما فات الطلاب من دروس.
"""


def _zip_bytes(members: list[tuple[str, bytes]]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, payload in members:
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, payload)
    return buf.getvalue()


def _gzip_bytes(name: str, payload: bytes) -> bytes:
    buf = io.BytesIO()
    with gzip.GzipFile(filename=name, mode="wb", fileobj=buf, mtime=0) as gz:
        gz.write(payload)
    return buf.getvalue()


def _json(obj: object) -> bytes:
    return (json.dumps(obj, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


FILES: dict[str, bytes] = {
    "01_cairo_foreign_ministry.txt": CAIRO.encode("utf-8"),
    "02_amman_traffic_cp1256.txt": AMMAN.replace("\n", "\r\n").encode("cp1256"),
    "03_rabat_parliament_iso8859-6.txt": RABAT.encode("iso8859-6"),
    "04_beirut_book_fair_utf16.txt": codecs.BOM_UTF16_LE + BEIRUT.replace("\n", "\r\n").encode("utf-16-le"),
    "05_tunis_vaccination_cp1256.html": TUNIS_HTML.encode("cp1256"),
    "06_riyadh_investment.json": _json(RIYADH),
    "07_wire_briefs.jsonl": "".join(json.dumps(b, ensure_ascii=False) + "\n" for b in BRIEFS).encode("utf-8"),
    "08_trec_bulletin.sgml": TREC.encode("utf-8"),
    "09_gigaword_stories": GIGAWORD.encode("utf-8"),
    "10_gulf_bundle.zip": _zip_bytes(
        [("kuwait/jahra_hospital.json", _json(KUWAIT_JSON)), ("doha_food_security.txt", DOHA_TXT.encode("utf-8"))]
    ),
    "11_khartoum_schools.txt.gz": _gzip_bytes("11_khartoum_schools.txt", KHARTOUM.encode("utf-8")),
}


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, payload in FILES.items():
        (OUT / name).write_bytes(payload)
        print(f"{len(payload):6d}  {name}")


if __name__ == "__main__":
    main()
