from django.urls import path

from .views import checkin, review

app_name = "checkins"

urlpatterns = [
    # The school's or department's side (checkins/views/checkin.py)
    path("checkins/", checkin.my_checkins, name="my_checkins"),
    path("checkins/<int:checkin_id>/", checkin.checkin_detail, name="checkin_detail"),
    path("checkins/<int:checkin_id>/submit/", checkin.checkin_submit, name="checkin_submit"),
    # Responses and review (checkins/views/review.py)
    path("checkins/<int:checkin_id>/acknowledge/", review.checkin_acknowledge, name="checkin_acknowledge"),
    path("checkins/<int:checkin_id>/return/", review.checkin_return, name="checkin_return"),
    path("checkins/<int:checkin_id>/comment/", review.checkin_comment, name="checkin_comment"),
    path("checkins/entries/<int:entry_id>/resolve/", review.support_resolve, name="support_resolve"),
    path("checkins/cycles/", review.cycle_list, name="cycle_list"),
    path("checkins/cycles/<int:cycle_id>/", review.cycle_detail, name="cycle_detail"),
    path("checkins/support/", review.support_queue, name="support_queue"),
]
