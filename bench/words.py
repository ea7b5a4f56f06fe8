"""Vocabularies of the synthetic corpus (``make_corpus.py``); all made up for the benchmark."""

from __future__ import annotations

SECTIONS = (
    "既存研究では何ができなかったのか",
    "どのようなアプローチでそれを解決しようとしたか",
    "結果、何が達成できたのか",
    "Limitationや問題点は何か",
    "技術的な詳細について",
    "コストや物理的な詳細について",
    "参考文献のうち、特に参照すべきもの",
    "この論文を140字以内のツイートで要約すると？",
)

GIVEN = (
    "Aiko", "Akira", "Alice", "Amir", "Ana", "Andrea", "Anton", "Arjun", "Ben", "Bruno",
    "Carla", "Chen", "Daisuke", "Daniel", "Diego", "Elena", "Emma", "Erik", "Fatima", "Felix",
    "Hana", "Hao", "Haruto", "Igor", "Ines", "Jakob", "Jia", "Jin", "Jonas", "Julia", "Kai",
    "Kenji", "Lars", "Laura", "Lei", "Lena", "Luca", "Maria", "Mateo", "Mei", "Min", "Mira",
    "Naoki", "Nina", "Noah", "Olga", "Omar", "Pablo", "Priya", "Rafael", "Rin", "Ryo", "Sara",
    "Sofia", "Sota", "Tariq", "Tomas", "Vera", "Wei", "Xin", "Yara", "Yui", "Yusuf", "Zoe",
)
FAMILY = (
    "Abe", "Alvarez", "Bauer", "Becker", "Costa", "Dubois", "Endo", "Fischer", "Fujita",
    "Garcia", "Goto", "Gupta", "Hansen", "Hayashi", "Ito", "Ivanov", "Jensen", "Kato", "Kim",
    "Kobayashi", "Kowalski", "Kumar", "Lee", "Li", "Lin", "Liu", "Lopez", "Martin", "Matsuda",
    "Meyer", "Mori", "Muller", "Murata", "Nakamura", "Nguyen", "Novak", "Ogawa", "Okada",
    "Park", "Petrov", "Rossi", "Saito", "Sakai", "Sato", "Schmidt", "Shimizu", "Silva", "Singh",
    "Suzuki", "Takahashi", "Tanaka", "Ueda", "Wagner", "Wang", "Watanabe", "Wu", "Yamada",
    "Yamamoto", "Yang", "Yoshida", "Zhang", "Zhao", "Zhou", "Ziegler",
)
JA_FAMILY = (
    "佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤", "吉田",
    "山田", "佐々木", "山口", "松本", "井上", "木村", "林", "清水", "山崎", "森", "池田",
    "橋本", "阿部", "石川", "山下", "中島", "石井", "小川", "前田",
)
JA_GIVEN = (
    "健", "誠", "翔", "大輔", "拓也", "直樹", "亮", "陽菜", "結衣", "葵", "美咲", "花子",
    "太郎", "悠真", "蓮", "湊", "樹", "颯", "凛", "咲", "遥", "彩", "智子", "恵", "学",
    "浩", "修", "聡", "隆", "剛",
)
AFFILIATIONS = (
    "東京大学", "京都大学", "大阪大学", "東北大学", "理化学研究所", "国立情報学研究所",
    "MIT", "Stanford University", "ETH Zurich", "Tsinghua University", "University of Oxford",
    "Max Planck Institute for Informatics", "Seoul National University", "Google DeepMind",
    "Sakana AI", "Preferred Networks", "Meta FAIR", "Microsoft Research",
)
CATEGORIES = ("cs.CL", "cs.CV", "cs.LG", "cs.AI", "stat.ML", "cs.RO", "cs.CR", "eess.AS",
              "quant-ph", "hep-th")
CATEGORY_WEIGHTS = (30, 25, 20, 10, 4, 4, 3, 2, 1, 1)
TAG_HEADS = (
    "LLM", "VLM", "拡散モデル", "強化学習", "異常検知", "ZeroShot", "マルチモーダル", "RAG",
    "エージェント", "量子化", "蒸留", "音声認識", "画像生成", "動画理解", "ロボティクス",
    "グラフ", "最適化", "推論", "事前学習", "評価", "安全性", "アライメント", "長文脈",
    "検索", "翻訳", "要約", "数学", "コード生成", "医療", "物理", "因果推論", "表現学習",
    "自己教師あり", "連合学習", "プライバシー", "効率化", "MoE", "Transformer", "状態空間",
    "ベンチマーク",
)
TAG_TAILS = ("", "応用", "理論", "評価", "基盤", "高速化", "データ", "手法", "解析", "実装",
             "拡張", "比較", "統合", "学習", "設計", "検証")
EN_TERMS = (
    "Transformer", "LoRA", "attention", "KV cache", "CLIP", "ViT", "RLHF", "DPO", "MoE",
    "tokenizer", "benchmark", "GPU", "FLOPs", "BLEU", "AUC", "zero-shot", "few-shot", "SSM",
)
JA_PHRASES = (
    "既存手法は学習データの分布が変わると精度が大きく落ちる", "提案手法は追加の学習なしで動作する",
    "推論時の計算量を半分以下に抑えた", "評価は公開ベンチマーク三種で行った",
    "従来は現場ごとに再学習が必要だった", "大規模言語モデルを判定器として用いる",
    "注意機構の重みを層ごとに共有する", "データ収集のコストが導入の壁になっていた",
    "長い系列では記憶量が二乗で増える", "小さなモデルでも大きなモデルに迫る結果を得た",
    "誤差の大きい事例を重点的に学習させる", "異なる解像度の特徴を統合する",
    "人手の注釈を最小限に抑えた", "実装は公開されており再現が容易である",
    "学習率の設定に結果が敏感である", "著者らは限界として評価データの偏りを挙げている",
    "推論速度は一枚あたり数十ミリ秒である", "既存の評価指標では差が見えにくい",
    "正則化項を加えて過学習を防ぐ", "生成結果の多様性と忠実さを両立させた",
    "分布外のデータでも性能が保たれた", "単一のGPUで一日以内に学習が終わる",
    "段階的に難しい課題へ移るカリキュラムを組んだ", "教師モデルの出力を柔らかいラベルとして使う",
    "検索した文書を根拠として回答に引用する", "失敗例の分析から改善の方向を示した",
)
JA_ENDINGS = ("。", "。", "。", "ことが確認された。", "という。", "点が新しい。")
BULLET_HEADS = (
    "課題", "既存手法の限界", "提案", "主な工夫", "結果", "比較", "限界", "今後の課題",
    "実装", "計算コスト", "データ", "評価設定", "補足", "位置づけ",
)
CODE_NAMES = ("segment_score", "fuse_context", "select_keyframes", "soft_distill", "rerank",
              "prune_heads", "merge_tokens", "route_experts")
CODE_VARS = ("q", "k", "ctx", "memory", "prior", "weights")
TITLE_WORDS = (
    "adaptive", "efficient", "scalable", "robust", "zero-shot", "multimodal", "language",
    "models", "diffusion", "agents", "reasoning", "retrieval", "vision", "learning", "sparse",
    "attention", "alignment", "benchmark", "video", "anomaly", "detection", "graph", "neural",
    "fields", "policy", "optimization", "quantum", "circuits", "long-context", "memory",
    "distillation", "tokens", "experts", "self-supervised", "representations", "with", "for",
    "via", "towards", "beyond", "scaling", "laws",
)
