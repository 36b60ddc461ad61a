"""Organisation endpoints: who am I, my projects, my API tokens."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from anchang.org import selectors, services
from anchang.org.models import ApiToken
from anchang.org.serializers import (
    MeOutSerializer,
    ProjectOutSerializer,
    StaffOutSerializer,
    TokenCreatedSerializer,
    TokenCreateSerializer,
    TokenOutSerializer,
)


class MeApi(APIView):
    @extend_schema(responses=MeOutSerializer)
    def get(self, request):
        user = request.user
        data = {
            "id": user.pk,
            "username": user.username,
            "name": user.name,
            "grants": selectors.actor_grants(user),
        }
        return Response(MeOutSerializer(data).data)


class ProjectListApi(APIView):
    @extend_schema(responses=ProjectOutSerializer(many=True))
    def get(self, request):
        projects = selectors.visible_projects(request.user).order_by("id")
        return Response(ProjectOutSerializer(projects, many=True).data)


class StaffListApi(APIView):
    @extend_schema(responses=StaffOutSerializer(many=True))
    def get(self, request):
        """Who works in your projects: names and roles (ids for owner, author, reviewer)."""
        return Response(StaffOutSerializer(selectors.staff_directory(request.user), many=True).data)


class TokenListApi(APIView):
    @extend_schema(responses=TokenOutSerializer(many=True))
    def get(self, request):
        tokens = ApiToken.objects.filter(user=request.user).order_by("-created")
        return Response(TokenOutSerializer(tokens, many=True).data)

    @extend_schema(request=TokenCreateSerializer, responses={201: TokenCreatedSerializer})
    def post(self, request):
        serializer = TokenCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        instance, secret = services.token_create(
            actor=request.user, name=serializer.validated_data["name"]
        )
        body = dict(TokenOutSerializer(instance).data, token=secret)
        return Response(body, status=status.HTTP_201_CREATED)


class TokenDetailApi(APIView):
    @extend_schema(responses={204: None})
    def delete(self, request, token_key: str):
        services.token_revoke(actor=request.user, token_key=token_key)
        return Response(status=status.HTTP_204_NO_CONTENT)
