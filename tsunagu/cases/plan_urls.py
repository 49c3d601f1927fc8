plan_urlpatterns: list = []
