"""Inline mode (@bot question in any chat): the ranked passages as articles to post, the
answer's tier deciding the titles and the caveat."""
from __future__ import annotations

import asyncio

from telegram import InlineQueryResultArticle, InputTextMessageContent, Update
from telegram.constants import ParseMode
from telegram.ext import ContextTypes

from retrieval.errors import EmptyQuestion, QuestionTooLong

from . import formatting
from ..presentation import ANSWERED, CLOSEST, NOT_FOUND, looks_off_topic, tier
from .answers import clean_question, has_words, reply_language
from .handlers import state_of

INLINE_RESULTS = 10


async def on_inline_query(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    inline_query = update.inline_query
    question = clean_question(inline_query.query)
    if not question or not has_words(question):
        await inline_query.answer([], cache_time=0)
        return
    engine = state_of(context).holder.engine
    try:
        answer = await asyncio.to_thread(engine.ask, question, INLINE_RESULTS)
    except (EmptyQuestion, QuestionTooLong):
        await inline_query.answer([], cache_time=0)
        return
    user = update.effective_user
    language = reply_language(question, user.language_code if user else None, answer.language)
    presented = tier(answer)
    articles = []
    if presented == NOT_FOUND:
        notice = formatting.format_abstention(language, looks_off_topic(answer))
        articles.append(
            InlineQueryResultArticle(
                id="abstain",
                title=formatting.MESSAGES[language]["inline_abstain_title"],
                input_message_content=InputTextMessageContent(notice, parse_mode=ParseMode.HTML),
            )
        )
    prefix = "" if presented == ANSWERED else formatting.MESSAGES[language]["inline_closest"]
    # a passage chosen from a "closest" list says so in the chat it is posted to
    caveat = formatting.text(language, "closest_caveat") + "\n\n" if presented == CLOSEST else ""
    for number, result in enumerate(answer.results[: INLINE_RESULTS - len(articles)], start=1):
        content = caveat + formatting.format_result(result, number, language, marked=presented == ANSWERED)
        articles.append(
            InlineQueryResultArticle(
                id=str(number),
                title=(prefix + formatting.source_text(result.passage, language))[:200],
                description=formatting.inline_description(result),
                input_message_content=InputTextMessageContent(content, parse_mode=ParseMode.HTML),
            )
        )
    # with an allowlist, Telegram must not serve these cached results to anyone else
    await inline_query.answer(articles, cache_time=30, is_personal=state_of(context).policy.restricted)
