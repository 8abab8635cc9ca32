"""Deployment artefacts proven on real servers: image, compose stack, Helm chart, dashboards."""
