"""Documents generated from the OpenAPI document: the Postman collection and the Markdown reference."""
