"""What the bot says about documents (adding, replacing, removing), in Chinese and English."""
from __future__ import annotations

import html

TEXTS = {
    "zh": {
        "not_admin": "抱歉，只有管理员可以添加或删除文件。您可以直接提问。",
        "too_large": "文件太大（{mb} MB）：机器人最多只能下载 20 MB 的文件。",
        "unsupported": "不支持这种文件（{name}）：请发送 PDF、DOCX、TXT、MD 或 HTML 文件。",
        "encrypted": "无法添加 {name}：这个 PDF 已加密，请先去掉密码再发送。",
        "empty": "无法添加 {name}：文件里没有可读的文字。",
        "too_large_file": "无法添加 {name}：文件太大。",
        "unreadable": "无法添加 {name}：文件无法读取（{why}）。",
        "queued": "📥 已收到 {name}，排队中（前面还有 {n} 个任务）…",
        "reading": "📖 正在读取 {name}…",
        "ocr": "🔎 {name}：扫描件，OCR 识别第 {i}/{n} 页…",
        "indexing": "🗂 正在更新索引…",
        "embedding": "🧮 正在更新索引：嵌入 {done}/{total} 段文字…",
        "duplicate": "✅ 已收录：{name} 的内容与已有文件 {existing} 相同，无需重复添加。",
        "confirm_replace": "⚠️ 已有同名文件 {name}，但内容不同。要替换它吗？",
        "replace": "替换", "keep_both": "两个都保留", "cancel": "取消",
        "cancelled": "已取消，{name} 未保存。",
        "live": "✅ 已上线：{name}{ocr}\n标题：{titles}\n新增段落：{passages}\n用时 {seconds:.0f} 秒",
        "ocr_note": "（扫描件，OCR 识别）",
        "failed": "❌ 索引更新失败：{why}\n提问仍由原来的索引回答。",
        "remove_choose": "选择要删除的文件：",
        "remove_confirm": "确定删除 {name} 吗？\n{titles}",
        "remove_yes": "删除", "remove_no": "取消",
        "removing": "🗑 正在删除 {name} 并更新索引…",
        "removed": "🗑 已删除 {name}；索引已更新，用时 {seconds:.0f} 秒。",
        "remove_cancelled": "已取消，未删除任何文件。",
        "last": "{name} 是唯一的文件，不能删除：请先添加其他文件。",
        "stale": "这个按钮已过期。",
        "no_documents": "还没有文件。",
    },
    "en": {
        "not_admin": "Sorry, only administrators can add or remove documents. You can ask questions, though.",
        "too_large": "The file is too large ({mb} MB): the bot can download files up to 20 MB.",
        "unsupported": "Unsupported file ({name}): send a PDF, DOCX, TXT, MD or HTML file.",
        "encrypted": "Cannot add {name}: the PDF is encrypted; remove its password and send it again.",
        "empty": "Cannot add {name}: there is no readable text in it.",
        "too_large_file": "Cannot add {name}: the file is too large.",
        "unreadable": "Cannot add {name}: the file cannot be read ({why}).",
        "queued": "📥 Received {name}; queued ({n} job(s) ahead)…",
        "reading": "📖 Reading {name}…",
        "ocr": "🔎 {name}: scanned, OCR page {i}/{n}…",
        "indexing": "🗂 Updating the index…",
        "embedding": "🧮 Updating the index: embedding {done}/{total} texts…",
        "duplicate": "✅ Already indexed: {name} has the same content as {existing}.",
        "confirm_replace": "⚠️ A different file named {name} is already there. Replace it?",
        "replace": "Replace", "keep_both": "Keep both", "cancel": "Cancel",
        "cancelled": "Cancelled; {name} was not stored.",
        "live": "✅ Live: {name}{ocr}\nTitle(s): {titles}\nPassages added: {passages}\nTook {seconds:.0f} s",
        "ocr_note": " (scanned, read by OCR)",
        "failed": "❌ The index update failed: {why}\nQuestions are still answered from the previous index.",
        "remove_choose": "Choose the document to remove:",
        "remove_confirm": "Remove {name}?\n{titles}",
        "remove_yes": "Remove", "remove_no": "Cancel",
        "removing": "🗑 Removing {name} and updating the index…",
        "removed": "🗑 Removed {name}; the index is updated ({seconds:.0f} s).",
        "remove_cancelled": "Cancelled; nothing was removed.",
        "last": "{name} is the only document and cannot be removed: add another one first.",
        "stale": "This button has expired.",
        "no_documents": "There are no documents yet.",
    },
}


def say(language: str, key: str, **values) -> str:
    """A message with every value HTML-escaped (file names and titles come from users)."""
    escaped = {name: html.escape(value, quote=False) if isinstance(value, str) else value for name, value in values.items()}
    return TEXTS[language if language in TEXTS else "en"][key].format(**escaped)
