"""The citizens' pages, one module per part of the portal (each with its own `urlpatterns`, included
by motcua.portal.urls): the catalogue, online submission, my dossiers, the status look-up, sign-in
(VNeID), payments, feedback and ratings. Thin: parse, call one service or selector, render."""
