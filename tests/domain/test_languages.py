"""Telling a query in another language from an English one (the index is English)."""

from __future__ import annotations

import pytest

from papertide.domain.languages import other_language


@pytest.mark.parametrize("text", [
    "在图像生成器的初始噪声里藏一个标记，再训练小检测器识别生成的图片",  # Chinese
    "人間を圧倒せず、ほぼ引き分けになるよう手加減するボードゲームAI",  # Japanese
    "대규모 언어 모델의 추론 능력",  # Korean
    "обучение с подкреплением для языковых моделей",  # Russian
    "LLM-Multiagentensystem erstellt automatisch Surrogatmodelle für Untergrundströmung und CO2-Speicherung",
    "Benchmark zu Schweizer Finanzmarkt- und Rechtsregulierung",
    "revue de l'inférence efficace pour les grands modèles de raisonnement",
    "détection d'objets à vocabulaire ouvert",
    "adaptar un modelo de lenguaje pequeño a la lengua de Cerdeña con una tarjeta gráfica",
    "modelli linguistici della lingua sarda con poche risorse",
    "detecção de psoríase com visão computacional",
])
def test_queries_in_other_languages_are_told(text):
    assert other_language(text)


@pytest.mark.parametrize("text", [
    "do language models just tell users what they want to hear?",
    "4m robotic telescope at La Palma status report",  # one stray "la"
    "de Finetti theorem for exchangeable sequences",
    "van der Waals heterostructures",
    "Schrödinger bridge matching",  # one accented name
    "A Cramér-von Mises approach to truthful data sharing",
    "weak lensing mass map from DES Y3",  # acronyms, not words
    "DO-EM: density operator expectation maximization",
    "α-divergence bounds for variational inference",  # Greek letters are mathematics
    "$\\mathcal{O}(n \\log n)$ sorting",
    "2401.00001",
    "",
])
def test_english_queries_with_names_acronyms_and_maths_are_not(text):
    assert not other_language(text)
