"""Frequent Japanese surnames, used to split a full name written without a space.

:func:`tsunagu.linkage.normalize.split_name` splits 「山田太郎」 into 「山田」 and
「太郎」 by finding the longest surname from :data:`SURNAMES` at the start of the
name. The set holds some 330 of the most frequent surnames in Japan, a few
that are frequent in Okinawa (比嘉, 金城), surnames written with ノ (一ノ瀬,
木ノ下) and long surnames that begin with a shorter listed one (東海林). It
is a splitting aid, not a register: a surname missing here only means that a
name written without a space is not split.

Entries are stored in their common forms (高橋, 山崎, 渡辺, 斎藤); names are
matched after folding kanji variants, so 「髙橋」 and 「渡邊」 are found too.
斎藤 and 斉藤 are both listed because they are different surnames.

Source and licence: hand-compiled for this project from published surname
frequency rankings (facts, not a copied table); distributed under the
project's licence (MIT).
"""

from __future__ import annotations

__all__ = ["MAX_SURNAME_LENGTH", "SURNAMES"]

# Frequent surnames, whitespace-separated, in their common forms.
_FREQUENT = """
佐藤 鈴木 高橋 田中 伊藤 渡辺 山本 中村 小林 加藤 吉田 山田 佐々木 山口 松本
井上 木村 林 斎藤 清水 山崎 森 池田 橋本 阿部 石川 山下 中島 石井 小川
前田 岡田 長谷川 藤田 後藤 近藤 村上 遠藤 青木 坂本 斉藤 福田 太田 西村 藤井
金子 岡本 藤原 中野 三浦 原田 中川 松田 竹内 小野 田村 中山 和田 石田 森田
上田 原 内田 柴田 酒井 宮崎 横山 高木 安藤 宮本 大野 小島 谷口 今井 工藤
高田 増田 丸山 杉山 村田 大塚 新井 小山 平野 藤本 河野 上野 野口 武田 松井
千葉 岩崎 菅原 木下 久保 佐野 野村 松尾 市川 菊地 杉本 古川 大西 島田 水野
桜井 高野 渡部 吉川 山内 西田 飯田 菊池 西川 小松 北村 安田 五十嵐 川口 平田
関 中田 久保田 服部 東 岩田 土屋 川崎 福島 本田 辻 樋口 秋山 田口 永井
山中 中西 吉村 川上 石原 大橋 松岡 馬場 浅野 荒井 松下 大久保 野田 小西 小池
星野 大石 熊谷 堀 吉岡 浅井 片山 松村 岩本 川村 内藤 中谷 坂口 平井 桑原
黒田 今村 大川 須藤 竹田 矢野 岡崎 田辺 松浦 大谷 高山 小沢 中尾 福井 荒木
西山 河合 北川 堀内 安部 栗原 福岡 宮田 古田 北野 松永 望月 藤川 西 小田
山根 大森 早川 宮下 小泉 根本 本間 関口 内山 横田 岡 大島 奥村 野中 松崎
岡部 中井 吉野 白石 大山 尾崎 宮内 新田 広瀬 土井 上原 篠原 岩井 田代 村井
森本 河村 富田 川端 小原 稲葉 牧野 宇野 杉浦 榎本 青山 原口 徳永 中本 浜田
石橋 長田 高島 松原 落合 武藤 村山 平山 森下 大竹 菅野 植田 安井 小谷 西尾
石崎 堤 小倉 岸 西岡 岩瀬 大田 前川 竹中 山岸 松山 片岡 野崎 北原 黒木
千田 大内 沢田 高井 金井 足立 佐久間 川島 三宅 中沢 大木 水谷 難波 奥田 宮川
川田 梅田 浜口 沖田 石塚 福本 中原 西野 南 飯島 守屋 小笠原 平松 三上 長尾
大場 今野 小森 松元 宮原 柏木 島 辻本 萩原 本多 滝沢 細川 坂田 久野 鎌田
関根 川原 横井 市村 荒川 田島 池上 吉本 岩下 塚本 柳田 永田 米田 竹下 津田
山城 比嘉 金城 宮城 大城 新垣 上地 玉城
"""

# Surnames written with ノ, and long surnames that would otherwise be split
# after a shorter listed one (東海林 is not 東 + 海林).
_ADDITIONAL = """
東海林 勅使河原 一ノ瀬 木ノ下 山ノ内 竹ノ内 堀ノ内 井ノ上
"""

#: Frequent surnames in their common (variant-folded) forms.
SURNAMES: frozenset[str] = frozenset(_FREQUENT.split() + _ADDITIONAL.split())

#: Length of the longest entry in :data:`SURNAMES`.
MAX_SURNAME_LENGTH: int = max(map(len, SURNAMES))
