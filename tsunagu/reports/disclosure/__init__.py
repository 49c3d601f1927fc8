"""開示請求への回答: a person's whole record and who read or changed it, for the program office.

A person may ask what the program holds about them (個人情報の開示請求). The office answers
with one file, an Excel workbook or an A4 PDF of the same content:

* :mod:`.record` gathers the parts (本人, 世帯, 相談, つなぎ, 事例, 同意, 支援プラン, 支援経過,
  会議, アウトリーチ, 参加支援, 見守り, 閲覧の根拠, 閲覧・変更の履歴), each a list of tables
  whose rows are read a chunk at a time;
* :mod:`.workbook` writes them as a workbook (a cover sheet, then one sheet per part) in
  constant memory; :mod:`.document` renders them as a printable PDF.

Only the office (``acting(user).is_office``) may make it; for anyone else the page and the
API answer 404, as for a person they may not see. Every view and every file is audited with
the request's reference number (受付番号).

What the answer leaves out, on purpose: the other members of a household beyond the household
listing (their own records follow their own requests); the text of an assessment section whose
information came from an agency holding tax information; the names and contacts of those who
told the program about the person (情報提供者・通報者); a meeting's minutes, which cover other
persons too.
"""
