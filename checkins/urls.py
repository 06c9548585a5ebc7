from django.urls import path

from .views import checkin, review

app_name = "checkins"

urlpatterns = [
    # The school's or department's side (checkins/views/checkin.py)
    # Responses and review (checkins/views/review.py)
]
